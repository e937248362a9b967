#!/usr/bin/env python3
"""Every fixture CRD and egressdiag's own CRDs are accepted and Established by the real
kube-apiserver, and their names, scope, short names, categories, printer columns and status
subresource are the ones upstream ships (shared/reference/spidernet.md §2, azure.md §1.1) or
architecture.md specifies. Discovery then serves every short name."""

import json
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

from crdtest import Checks, Kube  # noqa: E402

SPN = "egressgateway.spidernet.io"
AKS = "egressgateway.kubernetes.azure.com"
CALICO = "crd.projectcalico.org"
OWN = "egressdiag.io"

# plural -> (group, kind, scope, shortNames, categories, printer column (name, jsonPath, priority)
# list, has status subresource)
EXPECTED = {
    "egressgateways": (SPN, "EgressGateway", "Cluster", ["egw"], ["egressgateway"], [
        ("ipv4DefaultEIP", ".spec.ippools.ipv4DefaultEIP", 0),
        ("ipv6DefaultEIP", ".spec.ippools.ipv6DefaultEIP", 0),
        ("clusterDefault", ".spec.clusterDefault", 0),
        ("ipv4Total", ".status.ipUsage.ipv4Total", 0),
        ("ipv4Free", ".status.ipUsage.ipv4Free", 0),
        ("ipv6Total", ".status.ipUsage.ipv6Total", 0),
        ("ipv6Free", ".status.ipUsage.ipv6Free", 0)], True),
    "egresspolicies": (SPN, "EgressPolicy", "Namespaced", ["egp"], ["egresspolicy"], [
        ("gateway", ".spec.egressGatewayName", 0), ("ipv4", ".status.eip.ipv4", 0),
        ("ipv6", ".status.eip.ipv6", 0), ("egressNode", ".status.node", 0)], True),
    "egressclusterpolicies": (SPN, "EgressClusterPolicy", "Cluster", ["egcp"],
                              ["egressclusterpolicy"], [
        ("gateway", ".spec.egressGatewayName", 0), ("ipv4", ".status.eip.ipv4", 0),
        ("ipv6", ".status.eip.ipv6", 0), ("egressTunnel", ".status.node", 0)], True),
    "egresstunnels": (SPN, "EgressTunnel", "Cluster", ["egt"], ["egresstunnel"], [
        ("tunnelMac", ".status.tunnel.mac", 0), ("tunnelIPv4", ".status.tunnel.ipv4", 0),
        ("tunnelIPv6", ".status.tunnel.ipv6", 0), ("mark", ".status.mark", 0),
        ("phase", ".status.phase", 0)], True),
    "egressendpointslices": (SPN, "EgressEndpointSlice", "Namespaced", ["egep"],
                             ["egressendpointslice"], [], True),
    "egressclusterendpointslices": (SPN, "EgressClusterEndpointSlice", "Cluster", ["egcep"],
                                    ["egressclusterendpointslice"], [], True),
    "egressclusterinfos": (SPN, "EgressClusterInfo", "Cluster", ["egci"],
                           ["egressclusterinfo"], [], True),
    "staticgatewayconfigurations": (AKS, "StaticGatewayConfiguration", "Namespaced", None, None,
                                    [], True),
    "gatewaylbconfigurations": (AKS, "GatewayLBConfiguration", "Namespaced", None, None, [], True),
    "gatewayvmconfigurations": (AKS, "GatewayVMConfiguration", "Namespaced", None, None, [], True),
    "gatewaystatuses": (AKS, "GatewayStatus", "Namespaced", None, None, [], True),
    "podendpoints": (AKS, "PodEndpoint", "Namespaced", None, None, [], True),
    "felixconfigurations": (CALICO, "FelixConfiguration", "Cluster", None, None, [], False),
    "egressdiagnoses": (OWN, "EgressDiagnosis", "Namespaced", ["egd"], ["egress"], [
        ("Target", ".spec.targetRef.name", 0), ("Egress-IP", ".status.egressIP", 0),
        ("Gateway", ".status.gatewayNode", 0),
        ("Healthy", '.status.conditions[?(@.type=="Healthy")].status', 0),
        ("Reason", '.status.conditions[?(@.type=="Healthy")].reason', 0),
        ("Nodes", ".status.nodes", 0), ("Age", ".metadata.creationTimestamp", 0),
        ("Message", '.status.conditions[?(@.type=="Healthy")].message', 1),
        ("Last-Probe", ".status.lastProbeTime", 1)], True),
    "egressnodereports": (OWN, "EgressNodeReport", "Cluster", ["egnr"], ["egress"], [
        ("Failing", ".status.counts.fail", 0), ("Unknown", ".status.counts.unknown", 0),
        ("Last-Probe", ".status.lastProbeTime", 0), ("Age", ".metadata.creationTimestamp", 0),
        ("Warn", ".status.counts.warn", 1), ("Probe-Version", ".status.probeVersion", 1)],
        True),
}


def condition(crd, kind):
    for cond in crd.get("status", {}).get("conditions", []):
        if cond.get("type") == kind:
            return cond.get("status"), cond.get("message", "")
    return None, "no such condition"


def main():
    kube = Kube()
    checks = Checks()
    applied = kube.ensure_crds()
    checks.eq("number of CRDs applied from tests/fixtures/crds and crds", len(EXPECTED),
              len(applied))
    for plural, (group, kind, scope, short, categories, columns, status) in EXPECTED.items():
        name = f"{plural}.{group}"
        crd = kube.get_json("crd", name)
        for cond in ("Established", "NamesAccepted"):
            got, message = condition(crd, cond)
            checks.eq(f"{name} condition {cond} ({message})", "True", got)
        spec = crd["spec"]
        accepted = crd["status"].get("acceptedNames", {})
        checks.eq(f"{name} kind", kind, accepted.get("kind"))
        checks.eq(f"{name} scope", scope, spec["scope"])
        checks.eq(f"{name} shortNames", short, accepted.get("shortNames"))
        checks.eq(f"{name} categories", categories, accepted.get("categories"))
        versions = spec["versions"]
        checks.eq(f"{name} versions", 1, len(versions))
        version = versions[0]
        got_columns = [(c["name"], c["jsonPath"], c.get("priority", 0))
                       for c in version.get("additionalPrinterColumns", [])]
        checks.eq(f"{name} additionalPrinterColumns", columns, got_columns)
        checks.eq(f"{name} status subresource", status,
                  "status" in version.get("subresources", {}))
    # Discovery serves every short name and the egress category (one request).
    shorts = [s for (_, _, _, short, _, _, _) in EXPECTED.values() for s in (short or [])]
    result = kube.run("get", ",".join(shorts), "-A")
    checks.eq(f"kubectl get {','.join(shorts)} -A exit code ({result.stderr.strip()})", 0,
              result.returncode)
    result = kube.run("get", "egress", "-A")
    checks.eq(f"kubectl get egress -A exit code ({result.stderr.strip()})", 0, result.returncode)
    resources = kube.ok("api-resources", "--api-group=egressdiag.io", "-o", "name").split()
    checks.eq("api-resources of egressdiag.io",
              ["egressdiagnoses.egressdiag.io", "egressnodereports.egressdiag.io"],
              sorted(resources))
    print(json.dumps({"crds": len(applied)}))
    checks.finish("crds.established")


if __name__ == "__main__":
    main()

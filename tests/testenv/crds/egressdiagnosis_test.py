#!/usr/bin/env python3
"""EgressDiagnosis (crds/egressdiag.io_egressdiagnoses.yaml) against the real apiserver:
schema defaults are applied, status is only writable through /status, the printer columns show
the status, every invalid spec is rejected with the schema's message (and nothing is stored),
and `kubectl explain` describes the fields. Objects are labelled and deleted at the end."""

import copy
import json
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

from crdtest import TEST_LABEL, Checks, Kube, table  # noqa: E402

NAMESPACE = "default"
PREFIX = "crdtest-egd-"
LABELS = {TEST_LABEL: "egressdiagnosis"}
SPN = "egressgateway.spidernet.io"
AKS = "egressgateway.kubernetes.azure.com"


def diagnosis(name, spec, status=None):
    obj = {"apiVersion": "egressdiag.io/v1alpha1", "kind": "EgressDiagnosis",
           "metadata": {"name": PREFIX + name, "namespace": NAMESPACE, "labels": LABELS},
           "spec": spec}
    if status is not None:
        obj["status"] = status
    return obj


def policy_target(**extra):
    return dict({"apiGroup": SPN, "kind": "EgressPolicy", "name": "test"}, **extra)


def with_spec(**changes):
    """A valid spec with `changes` applied; a value of None removes the key."""
    spec = {"targetRef": policy_target(), "interval": "30s",
            "probe": {"url": "http://172.16.25.183:8080/", "timeout": "5s",
                      "expectedSourceIPs": ["172.16.25.189"]}}
    for key, value in changes.items():
        if value is None:
            spec.pop(key, None)
        else:
            spec[key] = value
    return spec


def probe(**changes):
    result = {"url": "http://172.16.25.183:8080/", "timeout": "5s"}
    result.update(changes)
    return result


# (case, spec, substrings the server's error must contain)
INVALID = [
    ("zero targets: no targetRef", with_spec(targetRef=None),
     ["spec.targetRef: Required value"]),
    ("zero target kinds: targetRef without kind",
     with_spec(targetRef={"apiGroup": SPN, "name": "test"}),
     ["spec.targetRef.kind: Required value"]),
    ("unknown target kind", with_spec(targetRef=policy_target(kind="Deployment")),
     ['spec.targetRef.kind: Unsupported value: "Deployment"']),
    ("unknown target group", with_spec(targetRef=policy_target(apiGroup="apps")),
     ['spec.targetRef.apiGroup: Unsupported value: "apps"']),
    ("two target kinds: spidernet group with the Azure kind",
     with_spec(targetRef=policy_target(kind="StaticGatewayConfiguration")),
     ["spec.targetRef.kind", "kind does not belong to apiGroup"]),
    ("two target kinds: Azure group with a spidernet kind",
     with_spec(targetRef={"apiGroup": AKS, "kind": "EgressPolicy", "name": "x"}),
     ["spec.targetRef.kind", "kind does not belong to apiGroup"]),
    ("two targets: a second targetRefs list", with_spec(targetRefs=[policy_target()]),
     ['unknown field "spec.targetRefs"']),
    ("empty target name", with_spec(targetRef=policy_target(name="")),
     ["spec.targetRef.name"]),
    ("namespace on the cluster-scoped EgressClusterPolicy",
     with_spec(targetRef=policy_target(kind="EgressClusterPolicy", namespace="default")),
     ["spec.targetRef.namespace", "namespace must be empty for the cluster-scoped"]),
    ("interval below 5s", with_spec(interval="4s"), ["interval must be between 5s and 1h"]),
    ("interval above 1h", with_spec(interval="1h1s"), ["interval must be between 5s and 1h"]),
    ("interval without unit", with_spec(interval="30"), ["spec.interval", "should match"]),
    ("probe timeout without unit", with_spec(probe=probe(timeout="5")),
     ["spec.probe.timeout", "should match"]),
    ("interval with a fraction", with_spec(interval="1.5m"), ["spec.interval", "should match"]),
    ("probe without url", with_spec(probe={"timeout": "5s"}), ["spec.probe.url: Required value"]),
    ("probe url with ftp scheme", with_spec(probe=probe(url="ftp://172.16.25.183/")),
     ["url must be an absolute http:// or https:// URL"]),
    ("probe url without scheme", with_spec(probe=probe(url="172.16.25.183:8080")),
     ["url must be an absolute http:// or https:// URL"]),
    ("probe url without host", with_spec(probe=probe(url="http:///ip")),
     ["url must be an absolute http:// or https:// URL"]),
    ("probe timeout above 1m", with_spec(probe=probe(timeout="2m"), interval="5m"),
     ["timeout must be between 1s and 1m"]),
    ("probe timeout longer than interval", with_spec(probe=probe(timeout="40s")),
     ["spec.probe.timeout", "probe.timeout must not exceed interval"]),
    ("expected source IP out of range",
     with_spec(probe=probe(expectedSourceIPs=["300.1.1.1"])),
     ["spec.probe.expectedSourceIPs[0]", "must be an IPv4/IPv6 address or CIDR"]),
    ("expected source IP that is a name",
     with_spec(probe=probe(expectedSourceIPs=["172.16.25.189", "egress.example"])),
     ["spec.probe.expectedSourceIPs[1]", "must be an IPv4/IPv6 address or CIDR"]),
    ("expected source IPs duplicated",
     with_spec(probe=probe(expectedSourceIPs=["172.16.25.189", "172.16.25.189"])),
     ["spec.probe.expectedSourceIPs[1]: Duplicate value"]),
    ("too many expected source IPs",
     with_spec(probe=probe(expectedSourceIPs=[f"10.0.0.{i}" for i in range(17)])),
     ["spec.probe.expectedSourceIPs: Too many: 17: must have at most 16 items"]),
    ("unknown readinessPolicy", with_spec(readinessPolicy="Always"),
     ['spec.readinessPolicy: Unsupported value: "Always"']),
]

STATUS = {
    "observedGeneration": 1,
    "conditions": [
        {"type": "Ready", "status": "True", "observedGeneration": 1,
         "lastTransitionTime": "2026-11-22T10:00:00Z", "reason": "DiagnosisActive",
         "message": "2 of 2 nodes report"},
        {"type": "Healthy", "status": "False", "observedGeneration": 1,
         "lastTransitionTime": "2026-11-22T10:05:00Z", "reason": "IPRuleMissing",
         "message": "node1: no ip rule 99 for fwmark 0x26b7b4e4"},
    ],
    "egressIP": "172.16.25.189",
    "gatewayNode": "node2",
    "nodes": "2/2",
    "lastProbeTime": "2026-11-22T10:06:00Z",
    "failingChecks": [{"check": "SPN-IP-RULE", "node": "node1", "reason": "IPRuleMissing",
                       "message": "no ip rule 99 for fwmark 0x26b7b4e4",
                       "since": "2026-11-22T10:05:00Z"}],
    "outages": [{"start": "2026-11-22T10:05:00Z", "reason": "IPRuleMissing",
                 "message": "egress from node1 down"}],
}


def create(kube, obj):
    return kube.run("create", "-f", "-", stdin=json.dumps(obj))


def check_defaults(kube, checks):
    minimal = diagnosis("minimal", {"targetRef": policy_target()})
    kube.ok("create", "-f", "-", stdin=json.dumps(minimal))
    spec = kube.get_json("egd", PREFIX + "minimal", "-n", NAMESPACE)["spec"]
    checks.eq("default interval", "30s", spec.get("interval"))
    checks.eq("default readinessPolicy", "Reconciled", spec.get("readinessPolicy"))
    checks.eq("no probe unless asked for", False, "probe" in spec)
    checks.eq("targetRef.namespace left empty (the operator uses the diagnosis' namespace)",
              policy_target(), spec.get("targetRef"))

    with_probe = diagnosis("probe", {"targetRef": policy_target(namespace="other"),
                                     "probe": {"url": "https://10.0.0.1/"}})
    kube.ok("create", "-f", "-", stdin=json.dumps(with_probe))
    spec = kube.get_json("egd", PREFIX + "probe", "-n", NAMESPACE)["spec"]
    checks.eq("default probe.timeout", "5s", spec.get("probe", {}).get("timeout"))
    checks.eq("explicit targetRef.namespace kept", "other", spec["targetRef"].get("namespace"))

    cluster = diagnosis("cluster", {"targetRef": {"apiGroup": SPN, "kind": "EgressClusterPolicy",
                                                  "name": "all"}})
    result = create(kube, cluster)
    checks.eq(f"EgressClusterPolicy target without namespace accepted ({result.stderr.strip()})",
              0, result.returncode)
    cluster = diagnosis("cluster-empty-ns", {"targetRef": {
        "apiGroup": SPN, "kind": "EgressClusterPolicy", "name": "all", "namespace": ""}})
    result = create(kube, cluster)
    checks.eq(f"EgressClusterPolicy target with namespace \"\" accepted ({result.stderr.strip()})",
              0, result.returncode)
    sgc = diagnosis("sgc", {"targetRef": {"apiGroup": AKS, "kind": "StaticGatewayConfiguration",
                                          "name": "egress-demo"},
                            "interval": "1h", "readinessPolicy": "Healthy",
                            "probe": {"url": "http://[fd00::1]:8080/ip", "timeout": "1m",
                                      "expectedSourceIPs": ["1.2.3.4/31", "fd00::10"]}})
    result = create(kube, sgc)
    checks.eq(f"SGC target with bounds-edge values accepted ({result.stderr.strip()})", 0,
              result.returncode)


def check_status(kube, checks):
    name = PREFIX + "status"
    # Status in a create is dropped: only the status subresource may write it.
    kube.ok("create", "-f", "-", stdin=json.dumps(diagnosis("status", with_spec(), STATUS)))
    live = kube.get_json("egd", name, "-n", NAMESPACE)
    checks.eq("status sent with create is ignored", None, live.get("status"))
    checks.eq("metadata.generation after create", 1, live["metadata"].get("generation"))

    status_only = {"apiVersion": "egressdiag.io/v1alpha1", "kind": "EgressDiagnosis",
                   "metadata": {"name": name, "namespace": NAMESPACE}, "status": STATUS}
    kube.ok("apply", "--server-side", "--subresource=status", "--field-manager=crdtest",
            "-f", "-", stdin=json.dumps(status_only))
    live = kube.get_json("egd", name, "-n", NAMESPACE)
    checks.subset("status written through /status reads back", STATUS, live.get("status", {}))
    checks.eq("status write does not bump generation", 1, live["metadata"].get("generation"))

    header, rows = table(kube.ok("get", "egd", name, "-n", NAMESPACE))
    checks.eq("egd printer columns", ["NAME", "TARGET", "EGRESS-IP", "GATEWAY", "HEALTHY",
                                      "REASON", "NODES", "AGE"], header)
    want = {"NAME": name, "TARGET": "test", "EGRESS-IP": "172.16.25.189", "GATEWAY": "node2",
            "HEALTHY": "False", "REASON": "IPRuleMissing", "NODES": "2/2"}
    checks.subset("egd printer row", want, rows[0] if rows else {})
    header, rows = table(kube.ok("get", "egd", name, "-n", NAMESPACE, "-o", "wide"))
    checks.eq("egd -o wide printer columns",
              ["NAME", "TARGET", "EGRESS-IP", "GATEWAY", "HEALTHY", "REASON", "NODES", "AGE",
               "MESSAGE", "LAST-PROBE"], header)
    row = rows[0] if rows else {}
    checks.true("egd -o wide MESSAGE starts with the Healthy message",
                row.get("MESSAGE", "").startswith("node1: no ip rule 99"), f"row: {row}")
    checks.true("egd -o wide LAST-PROBE is an age such as 11h or 2d3h",
                re.fullmatch(r"([0-9]+[smhdy]){1,2}", row.get("LAST-PROBE", "")) is not None,
                f"row: {row}")

    header, _ = table(kube.ok("get", "egd", "-A", "-l", f"{TEST_LABEL}=egressdiagnosis"))
    checks.eq("kubectl get egd -A columns", ["NAMESPACE", "NAME", "TARGET", "EGRESS-IP",
                                             "GATEWAY", "HEALTHY", "REASON", "NODES", "AGE"],
              header)

    bad = copy.deepcopy(status_only)
    bad["status"]["conditions"][1]["reason"] = "IP rule missing"
    result = kube.run("apply", "--server-side", "--subresource=status", "--field-manager=crdtest",
                      "-f", "-", stdin=json.dumps(bad))
    checks.true("condition reason with spaces rejected", result.returncode != 0 and
                "status.conditions[1].reason" in result.stderr, result.stderr)
    bad = copy.deepcopy(status_only)
    bad["status"]["outages"] = [{"start": "2026-11-22T10:00:00Z"}] * 21
    result = kube.run("apply", "--server-side", "--subresource=status", "--field-manager=crdtest",
                      "-f", "-", stdin=json.dumps(bad))
    checks.contains("more than 20 outages rejected", "must have at most 20 items", result.stderr)


def check_invalid(kube, checks):
    for index, (case, spec, messages) in enumerate(INVALID):
        name = f"invalid-{index}"
        result = create(kube, diagnosis(name, spec))
        if not checks.true(f"rejected: {case}", result.returncode != 0,
                           f"the server accepted spec {json.dumps(spec)}"):
            continue
        for message in messages:
            checks.contains(f"server message for: {case}", message, result.stderr)
        # A rule must never trip over a value another rule already rejected.
        checks.true(f"no CEL evaluation error for: {case}",
                    "type conversion error" not in result.stderr, result.stderr)
    stored = kube.ok("get", "egd", "-n", NAMESPACE, "-o", "name", "-l",
                     f"{TEST_LABEL}=egressdiagnosis")
    for index, (case, _, _) in enumerate(INVALID):
        checks.true(f"nothing stored for: {case}",
                    f"/{PREFIX}invalid-{index}\n" not in stored + "\n", stored)


def check_explain(kube, checks):
    out = kube.ok("explain", "egd.spec")
    for needle in ("targetRef", "interval", "probe", "readinessPolicy", "How often active checks",
                   "What to diagnose and how"):
        checks.contains("kubectl explain egd.spec", needle, out)
    out = kube.ok("explain", "egd.spec.targetRef.kind")
    checks.contains("kubectl explain egd.spec.targetRef.kind lists the kinds",
                    "StaticGatewayConfiguration", out)
    out = kube.ok("explain", "egd.spec.readinessPolicy")
    checks.contains("kubectl explain egd.spec.readinessPolicy", "Reconciled", out)
    out = kube.ok("explain", "egd.status.failingChecks")
    checks.contains("kubectl explain egd.status.failingChecks", "check", out)


def main():
    kube = Kube()
    checks = Checks()
    kube.ensure_crds()
    selector = f"{TEST_LABEL}=egressdiagnosis"
    kube.ok("delete", "egd", "-n", NAMESPACE, "-l", selector, "--ignore-not-found")
    try:
        check_defaults(kube, checks)
        check_status(kube, checks)
        check_invalid(kube, checks)
        check_explain(kube, checks)
    finally:
        kube.ok("delete", "egd", "-n", NAMESPACE, "-l", selector, "--ignore-not-found")
        left = kube.ok("get", "egd", "-n", NAMESPACE, "-l", selector, "-o", "name")
        checks.eq("test objects deleted", "", left.strip())
    checks.finish("crds.egressdiagnosis")


if __name__ == "__main__":
    main()

"""RBAC of egressdiag's two ServiceAccounts, proven on the real kube-apiserver.

Creates config/azure's Namespace, ServiceAccounts, Roles and bindings for real (config/azure =
config/default plus the one Secret read the Azure key check needs), then asks the server what
each ServiceAccount may do (`kubectl auth can-i --list --as=...`) in egressdiag's namespace, in
the Azure gateway namespace and in an ordinary one. What a ServiceAccount may do beyond a bare
ServiceAccount (the built-in discovery rights) must equal rbac/<sa>.expected exactly, and must
obey the rules in docs/security.md whatever that file says: no wildcards, no Secrets except
`get` in the gateway namespace for the operator, no writes on anything egressdiag only reads.

    rbac_test.py [--update]   (--update rewrites the expected files from the server's answer)
"""

import json
import pathlib
import sys
import time

from installtest import AZURE_NAMESPACE, CONFIG, INSTALL_NAMESPACE, Kube, fail, parse_can_i

EXPECTED_DIR = pathlib.Path(__file__).resolve().parent / "rbac"
ACCOUNTS = ["operator", "probe"]
NAMESPACES = [INSTALL_NAMESPACE, AZURE_NAMESPACE, "default"]
RBAC_KINDS = {"Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role",
              "RoleBinding", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"}
CLUSTER_KINDS = {"ClusterRole", "ClusterRoleBinding", "ValidatingAdmissionPolicy",
                 "ValidatingAdmissionPolicyBinding"}
NODE = "egressdiag-test-node-a"
WRITE_VERBS = {"create", "update", "patch", "delete", "deletecollection", "escalate", "bind",
               "impersonate", "approve", "sign"}
# The only writes each account may have, and where (None: any namespace, cluster-wide rule).
ALLOWED_WRITES = {
    "operator": {("egressdiagnoses.egressdiag.io/status", None), ("events", None),
                 ("events.events.k8s.io", None),
                 ("leases.coordination.k8s.io", INSTALL_NAMESPACE)},
    "probe": {("egressnodereports.egressdiag.io", None),
              ("egressnodereports.egressdiag.io/status", None),
              ("leases.coordination.k8s.io", INSTALL_NAMESPACE)},
}
SECRET_READS = {"operator": {AZURE_NAMESPACE}, "probe": set()}

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def can_i(kube, account, namespace):
    user = f"system:serviceaccount:{INSTALL_NAMESPACE}:{account}"
    return parse_can_i(kube.ok("auth", "can-i", "--list", f"--as={user}", "-n", namespace))


def extra_rights(kube, account):
    """{namespace: {(resource, urls, names): verbs}} beyond what a bare ServiceAccount gets."""
    result = {}
    for ns in NAMESPACES:
        baseline = can_i(kube, "default", ns)
        rights = can_i(kube, f"egressdiag-{account}", ns)
        extra = {}
        for key, verbs in rights.items():
            more = verbs - baseline.get(key, set())
            if more:
                extra[key] = more
        result[ns] = extra
    return result


def render(extra):
    lines = []
    for ns, rights in extra.items():
        for (resource, urls, names), verbs in rights.items():
            lines.append(f"{ns} {resource or urls} {names} {' '.join(sorted(verbs))}")
    return sorted(lines)


def check_policy(account, extra):
    for ns, rights in extra.items():
        for (resource, urls, names), verbs in rights.items():
            where = f"{account} in {ns}: {resource or urls} {sorted(verbs)}"
            check("*" not in verbs and "*" not in resource and "*" not in urls,
                  f"wildcard: {where}")
            check(urls == "[]", f"non-resource URL beyond the built-ins: {where}")
            group_resource = resource.split(".", 1)
            if group_resource[0] in ("secrets", "secrets/status"):
                check(ns in SECRET_READS[account] and verbs == {"get"} and len(group_resource) == 1,
                      f"Secret access: {where}")
            if group_resource[0] == "configmaps":
                # spidernet's feature config only (SPN-TUNNELS), never ConfigMaps in general.
                check(len(group_resource) == 1 and names == "[egressgateway]"
                      and verbs <= {"get", "list", "watch"}, f"ConfigMap access: {where}")
            for verb in verbs & WRITE_VERBS:
                allowed = ALLOWED_WRITES[account]
                check((resource, None) in allowed or (resource, ns) in allowed,
                      f"write not allowed by docs/security.md: {where} ({verb})")
    # The one Secret read really is there (else the Azure key check could only say Unknown).
    for ns in SECRET_READS[account]:
        check(extra[ns].get(("secrets", "[]", "[]")) == {"get"},
              f"{account}: cannot get Secrets in {ns}")


def report(name):
    return json.dumps({"apiVersion": "egressdiag.io/v1alpha1", "kind": "EgressNodeReport",
                       "metadata": {"name": name}, "spec": {}})


def check_node_report_owner(kube):
    """The admission policy lets the probe write only its own node's report (docs/security.md):
    a token bound to a pod on NODE may create report NODE and nothing else; an unbound token
    may create none; the admin is not restricted."""
    kube.ok("apply", "--server-side", "--field-manager=egressdiag-tests", "-f", "-",
            stdin=json.dumps({"apiVersion": "v1", "kind": "Node", "metadata": {"name": NODE}}))
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "probe-token-test", "namespace": INSTALL_NAMESPACE},
           "spec": {"nodeName": NODE, "serviceAccountName": "egressdiag-probe",
                    "containers": [{"name": "probe", "image": "egressdiag-probe:test"}]}}
    kube.ok("apply", "--server-side", "--field-manager=egressdiag-tests", "-f", "-",
            stdin=json.dumps(pod))
    bound = kube.ok("create", "token", "egressdiag-probe", "-n", INSTALL_NAMESPACE,
                    "--bound-object-kind=Pod", "--bound-object-name=probe-token-test").strip()
    unbound = kube.ok("create", "token", "egressdiag-probe", "-n", INSTALL_NAMESPACE).strip()
    other = "egressdiag-test-node-b"
    try:
        # The policy takes effect asynchronously: wait until it denies a foreign report.
        deadline = time.monotonic() + 60
        while True:
            denied = kube.run_as(bound, "create", "-f", "-", stdin=report(other))
            if denied.returncode != 0 and "its own node" in denied.stderr:
                break
            if denied.returncode == 0:
                kube.ok("delete", "egressnodereport", other)
            if time.monotonic() > deadline:
                fail(f"probe token could write another node's report: {denied.stderr}")
            time.sleep(1)
        check(f"bound to node {NODE}, not {other}" in denied.stderr,
              f"denial does not name the nodes: {denied.stderr}")
        own = kube.run_as(bound, "create", "-f", "-", stdin=report(NODE))
        check(own.returncode == 0, f"probe cannot create its own node's report: {own.stderr}")
        patched = kube.run_as(bound, "label", "egressnodereport", NODE, "egressdiag.io/test=1")
        check(patched.returncode == 0, f"probe cannot update its own report: {patched.stderr}")
        kube.ok("delete", "egressnodereport", NODE, "--ignore-not-found")
        loose = kube.run_as(unbound, "create", "-f", "-", stdin=report(NODE))
        check(loose.returncode != 0 and "not bound to a node" in loose.stderr,
              f"a token not bound to a pod could write a report: {loose.stderr or 'accepted'}")
        admin = kube.run("create", "-f", "-", stdin=report(other))
        check(admin.returncode == 0, f"the policy also restricts admins: {admin.stderr}")
        print("node reports: the probe may write only its own node's report")
    finally:
        kube.run("delete", "egressnodereport", NODE, other, "--ignore-not-found")
        kube.run("delete", "pod", "probe-token-test", "-n", INSTALL_NAMESPACE,
                 "--ignore-not-found", "--grace-period=0", "--force")
        kube.run("delete", "node", NODE, "--ignore-not-found")


def main():
    update = "--update" in sys.argv[1:]
    kube = Kube()
    kube.ensure_crds()  # client-side rendering of the overlay maps every kind through discovery
    objects = kube.objects("apply", "--dry-run=client", "-o", "json", "-k", str(CONFIG / "azure"))
    rbac = [o for o in objects if o["kind"] in RBAC_KINDS]
    # The Azure gateway namespace is the user's; the test creates it as the gateway would.
    kube.ensure_namespaces(AZURE_NAMESPACE)
    manifest = json.dumps({"apiVersion": "v1", "kind": "List", "items": rbac})
    kube.ok("apply", "--server-side", "--field-manager=egressdiag-tests", "-f", "-",
            stdin=manifest)
    try:
        check_node_report_owner(kube)
        for account in ACCOUNTS:
            extra = extra_rights(kube, account)
            check_policy(account, extra)
            got = render(extra)
            expected_file = EXPECTED_DIR / f"{account}.expected"
            if update:
                expected_file.write_text(
                    f"# `kubectl auth can-i --list` rights of egressdiag-{account} beyond a bare\n"
                    "# ServiceAccount, per namespace: NAMESPACE RESOURCE [NAMES] VERBS. Written by\n"
                    "# rbac_test.py --update; every change here is a security change (review it).\n"
                    + "".join(line + "\n" for line in got))
                continue
            want = [l for l in expected_file.read_text().splitlines() if l and l[0] != "#"]
            missing, unexpected = sorted(set(want) - set(got)), sorted(set(got) - set(want))
            check(not missing and not unexpected,
                  f"{account}: rights differ from {expected_file.name}:\n  missing: "
                  + "\n           ".join(missing) + "\n  unexpected: "
                  + "\n              ".join(unexpected))
            if not missing and not unexpected:
                print(f"{account}: {len(got)} rights beyond a bare ServiceAccount, as expected")
    finally:
        cluster = [f"{o['kind'].lower()}/{o['metadata']['name']}" for o in rbac
                   if o["kind"] in CLUSTER_KINDS]
        kube.ok("delete", "--ignore-not-found", *cluster)
        kube.delete_namespaces(INSTALL_NAMESPACE, AZURE_NAMESPACE)

    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

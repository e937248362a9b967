#!/usr/bin/env python3
"""The sample objects in tests/fixtures/samples apply to the real apiserver and read back equal:
spec through a normal apply, status through the status subresource (server-side apply with
--subresource=status). `kubectl get egt` and `kubectl get egresspolicy -A` then print exactly
what the seed runbook (shared/seeds/000_…txt) shows. Everything created is deleted again."""

import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

from crdtest import SAMPLES, Checks, Kube  # noqa: E402

SPEC_FILES = ["spidernet.yaml", "calico.yaml", "azure.yaml", "azure-legacy.yaml",
              "egressdiagnosis.yaml"]
STATUS_FILES = ["spidernet-status.yaml", "azure-status.yaml"]
FIELD_MANAGER = "egressdiag-fixtures"

# Verbatim from the seed runbook, §3 and §4.
SEED_EGT = """\
NAME    TUNNELMAC           TUNNELIPV4       TUNNELIPV6   MARK         PHASE
node1   66:c5:d6:cc:29:54   192.200.142.89                0x2698ee37   Ready
node2   66:66:41:3e:23:6b   192.200.201.40                0x26b7b4e4   Ready
"""
SEED_EGP_ALL = """\
NAMESPACE   NAME   GATEWAY   IPV4            IPV6   EGRESSNODE
default     test   default   172.16.25.189          node2
"""
SEED_EGP = """\
NAME   GATEWAY   IPV4            IPV6   EGRESSNODE
test   default   172.16.25.189          node2
"""


def resource(obj):
    """kubectl resource argument for an object: singular kind, qualified by group."""
    group = obj["apiVersion"].rpartition("/")[0]
    kind = obj["kind"].lower()
    return f"{kind}.{group}" if group else kind


def locator(obj):
    args = [resource(obj), obj["metadata"]["name"]]
    namespace = obj["metadata"].get("namespace")
    return args + (["-n", namespace] if namespace else [])


def identity(obj):
    meta = obj["metadata"]
    return obj["kind"], meta.get("namespace", ""), meta["name"]


def fetch(kube, objects):
    """The live versions of `objects` (with managedFields), one kubectl call per namespace."""
    by_namespace = {}
    for obj in objects:
        namespace = obj["metadata"].get("namespace", "")
        by_namespace.setdefault(namespace, []).append(
            f"{resource(obj)}/{obj['metadata']['name']}")
    live = {}
    for namespace, names in by_namespace.items():
        scope = ["-n", namespace] if namespace else []
        for item in kube.get_json("--show-managed-fields", *scope, *names).get("items", []):
            live[identity(item)] = item
    return live


def lines(text):
    return [line.rstrip() for line in text.strip("\n").splitlines()]


def cleanup(kube, objects, keep_namespaces):
    """Deletes the samples (one kubectl call per namespace, waiting until they are gone), then
    any namespace the samples created; returns False if something could not be deleted."""
    by_namespace = {}
    for obj in objects:
        if obj["kind"] != "Namespace":
            namespace = obj["metadata"].get("namespace", "")
            by_namespace.setdefault(namespace, []).append(
                f"{resource(obj)}/{obj['metadata']['name']}")
    ok = True
    for namespace, names in by_namespace.items():
        scope = ["-n", namespace] if namespace else []
        result = kube.run("delete", "--ignore-not-found", "--wait=true", "--timeout=60s",
                          *scope, *names)
        if result.returncode != 0:
            print(f"FAIL: deleting {names}: {result.stderr}")
            ok = False
    for obj in objects:
        name = obj["metadata"]["name"]
        if obj["kind"] == "Namespace" and name not in keep_namespaces:
            # Wait, so that the next user of the samples does not meet a Terminating namespace
            # (needs the namespace controller: testenv.up runs kube-controller-manager).
            result = kube.run("delete", "namespace", name, "--ignore-not-found", "--wait=true",
                              "--timeout=60s")
            if result.returncode != 0:
                print(f"FAIL: deleting namespace {name}: {result.stderr}")
                ok = False
    return ok


def main():
    kube = Kube()
    checks = Checks()
    kube.ensure_crds()
    spec_objects = [obj for name in SPEC_FILES for obj in kube.load(SAMPLES / name)]
    status_objects = [obj for name in STATUS_FILES for obj in kube.load(SAMPLES / name)]
    keep = {obj["metadata"]["name"] for obj in spec_objects
            if obj["kind"] == "Namespace" and kube.run("get", "namespace",
                                                       obj["metadata"]["name"]).returncode == 0}
    try:
        files = [arg for name in SPEC_FILES for arg in ("-f", str(SAMPLES / name))]
        kube.ok("apply", *files)
        files = [arg for name in STATUS_FILES for arg in ("-f", str(SAMPLES / name))]
        # --force-conflicts: other tests (the lab's apply.sh) write the same cluster-wide names;
        # the fixture loader takes ownership of exactly the fields it then asserts.
        kube.ok("apply", "--server-side", "--force-conflicts", "--subresource=status",
                f"--field-manager={FIELD_MANAGER}", *files)

        live_objects = fetch(kube, spec_objects)
        for obj in spec_objects:
            live = live_objects.get(identity(obj), {})
            what = f"{obj['kind']} {' '.join(locator(obj)[1:])}"
            body = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata")}
            checks.subset(f"{what} reads back as applied", body, live)
            checks.subset(f"{what} labels", obj["metadata"].get("labels", {}),
                          live["metadata"].get("labels", {}))
        for obj in status_objects:
            live = live_objects.get(identity(obj), {})
            what = f"{obj['kind']} {' '.join(locator(obj)[1:])} status"
            checks.subset(what, obj["status"], live.get("status", {}))
            managers = [(m.get("manager"), m.get("subresource"))
                        for m in live["metadata"].get("managedFields", [])]
            checks.true(f"{what} was written through /status by {FIELD_MANAGER}",
                        (FIELD_MANAGER, "status") in managers, f"managedFields: {managers}")

        # Upstream's printer columns render the seed's tables byte for byte.
        checks.eq("kubectl get egt node1 node2", lines(SEED_EGT),
                  lines(kube.ok("get", "egt", "node1", "node2")))
        checks.eq("kubectl get egresspolicy -A (default/test only)", lines(SEED_EGP_ALL),
                  lines(kube.ok("get", "egresspolicy", "-A",
                                "--field-selector=metadata.namespace=default,metadata.name=test")))
        checks.eq("kubectl get egp test -n default", lines(SEED_EGP),
                  lines(kube.ok("get", "egp", "test", "-n", "default")))
    finally:
        checks.true("samples cleaned up", cleanup(kube, spec_objects, keep))
    checks.finish("crds.samples")


if __name__ == "__main__":
    main()

"""config/ against the real kube-apiserver: `kubectl apply --dry-run=server -k` of
config/default, config/azure and config/samples succeeds (the CRDs, including the
monitoring.coreos.com fixtures, created for real first), and the objects the server would store
have the properties the install promises (docs/install.md, docs/security.md). A broken overlay
must fail the same dry run, so the fixture schemas are shown to bite."""

import json
import os
import pathlib
import tempfile

from installtest import AZURE_NAMESPACE, CONFIG, INSTALL_NAMESPACE, Kube, fail

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def by_kind(objects):
    result = {}
    for o in objects:
        result.setdefault(o["kind"], []).append(o)
    return result


def one(kinds, kind, name):
    matches = [o for o in kinds.get(kind, []) if o["metadata"]["name"] == name]
    if len(matches) != 1:
        fail(f"expected one {kind} {name}, found {len(matches)}")
    return matches[0]


def check_operator(kinds):
    d = one(kinds, "Deployment", "egressdiag-operator")
    spec, pod = d["spec"], d["spec"]["template"]["spec"]
    check(spec["replicas"] == 2, "operator: replicas != 2")
    check(pod["serviceAccountName"] == "egressdiag-operator", "operator: wrong ServiceAccount")
    check(pod["securityContext"].get("runAsNonRoot") is True, "operator: runAsNonRoot not set")
    check(pod["securityContext"].get("seccompProfile", {}).get("type") == "RuntimeDefault",
          "operator: seccomp RuntimeDefault not set")
    check(not pod.get("hostNetwork") and not pod.get("hostPID"), "operator: host namespaces")
    (c,) = pod["containers"]
    sc = c["securityContext"]
    check(sc.get("readOnlyRootFilesystem") is True, "operator: root fs not read-only")
    check(sc.get("allowPrivilegeEscalation") is False, "operator: privilege escalation allowed")
    check(sc.get("capabilities") == {"drop": ["ALL"]}, f"operator: capabilities {sc}")
    check("--leader-elect" in c["args"], "operator: --leader-elect missing")
    flags = {a.split("=", 1)[0] for a in c["args"]}
    # The flags of operator/manager (issue 6); an unknown flag would crash-loop the pod.
    known = {"--kubeconfig", "--namespace", "--metrics-bind-address",
             "--health-probe-bind-address", "--leader-elect", "--log-format", "--log-level",
             "--auto-diagnose"}
    check(flags <= known, f"operator: unknown flags {sorted(flags - known)}")
    for probe in ("livenessProbe", "readinessProbe"):
        check(c.get(probe, {}).get("httpGet", {}).get("port") == "health",
              f"operator: {probe} missing")
    res = c.get("resources", {})
    check({"cpu", "memory"} <= set(res.get("requests", {})) and
          {"cpu", "memory"} <= set(res.get("limits", {})), "operator: requests/limits missing")
    svc = one(kinds, "Service", "egressdiag-operator-metrics")
    labels = d["spec"]["template"]["metadata"]["labels"]
    check(all(labels.get(k) == v for k, v in svc["spec"]["selector"].items()),
          "operator: metrics Service does not select the operator pods")


def check_probe(kinds):
    ds = one(kinds, "DaemonSet", "egressdiag-probe")
    pod = ds["spec"]["template"]["spec"]
    check(pod["serviceAccountName"] == "egressdiag-probe", "probe: wrong ServiceAccount")
    check(pod.get("hostNetwork") is True, "probe: hostNetwork not set")
    check(not pod.get("hostPID") and not pod.get("hostIPC"), "probe: hostPID/hostIPC set")
    check({"operator": "Exists"} in pod.get("tolerations", []),
          "probe: does not tolerate every taint (gateway nodes)")
    check(pod["securityContext"].get("seccompProfile", {}).get("type") == "RuntimeDefault",
          "probe: seccomp RuntimeDefault not set")
    (c,) = pod["containers"]
    sc = c["securityContext"]
    check(sc.get("privileged") in (None, False), "probe: privileged")
    check(sc.get("allowPrivilegeEscalation") is False, "probe: privilege escalation allowed")
    check(sc.get("readOnlyRootFilesystem") is True, "probe: root fs not read-only")
    caps = sc.get("capabilities", {})
    check(caps.get("drop") == ["ALL"], f"probe: drops {caps.get('drop')}, want ALL")
    check(sorted(caps.get("add", [])) == ["NET_ADMIN", "NET_RAW", "SYS_ADMIN"],
          f"probe: adds {caps.get('add')}, want exactly NET_ADMIN NET_RAW SYS_ADMIN")
    check(c["args"][0] == "run", "probe: not started in daemon mode (`run`)")
    check("--node-name=$(NODE_NAME)" in c["args"], "probe: --node-name from NODE_NAME missing")
    env = {e["name"]: e for e in c.get("env", [])}
    check(env.get("NODE_NAME", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
          == "spec.nodeName", "probe: NODE_NAME is not the downward-API node name")
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
    expected = {
        "/var/run/netns": ("/var/run/netns", True, "HostToContainer"),
        "/run/xtables.lock": ("/run/xtables.lock", True, None),
        "/etc/cni/net.d": ("/etc/cni/net.d", True, None),
    }
    for path, (host, read_only, propagation) in expected.items():
        m = mounts.get(path)
        check(m is not None, f"probe: {path} not mounted")
        if m is None:
            continue
        v = volumes[m["name"]]
        check(v.get("hostPath", {}).get("path") == host, f"probe: {path} is not hostPath {host}")
        check(m.get("readOnly") is read_only, f"probe: {path} readOnly != {read_only}")
        check(m.get("mountPropagation") == propagation,
              f"probe: {path} propagation {m.get('mountPropagation')}, want {propagation}")
    host_paths = {v["hostPath"]["path"] for v in volumes.values() if "hostPath" in v}
    check(host_paths == {"/var/run/netns", "/run/xtables.lock", "/etc/cni/net.d"},
          f"probe: unexpected hostPath volumes {sorted(host_paths)}")
    for probe in ("livenessProbe", "readinessProbe"):
        check(probe in c, f"probe: {probe} missing")
    check({"cpu", "memory"} <= set(c.get("resources", {}).get("limits", {})),
          "probe: limits missing")


def check_monitoring(kinds):
    sm = one(kinds, "ServiceMonitor", "egressdiag-operator")
    svc = one(kinds, "Service", "egressdiag-operator-metrics")
    check(all(svc["metadata"]["labels"].get(k) == v
              for k, v in sm["spec"]["selector"]["matchLabels"].items()),
          "ServiceMonitor does not select the metrics Service")
    # The rules' `job` values (rules.yaml) come from these labels via jobLabel.
    check(svc["metadata"]["labels"].get(sm["spec"]["jobLabel"]) == "egressdiag-operator",
          "ServiceMonitor job would not be egressdiag-operator")
    check(sm["spec"]["endpoints"][0]["port"] in [p["name"] for p in svc["spec"]["ports"]],
          "ServiceMonitor port is not a Service port")
    pm = one(kinds, "PodMonitor", "egressdiag-probe")
    ds = one(kinds, "DaemonSet", "egressdiag-probe")
    pod_labels = ds["spec"]["template"]["metadata"]["labels"]
    check(all(pod_labels.get(k) == v for k, v in pm["spec"]["selector"]["matchLabels"].items()),
          "PodMonitor does not select the probe pods")
    check(pod_labels.get(pm["spec"]["jobLabel"]) == "egressdiag-probe",
          "PodMonitor job would not be egressdiag-probe")
    rule = one(kinds, "PrometheusRule", "egressdiag-alerts")
    alerts = [r["alert"] for g in rule["spec"]["groups"] for r in g["rules"] if "alert" in r]
    check(len(alerts) >= 7, f"PrometheusRule has {len(alerts)} alerts")


def check_namespaces(kinds, objects):
    ns = one(kinds, "Namespace", INSTALL_NAMESPACE)
    check(ns["metadata"]["labels"].get("pod-security.kubernetes.io/enforce") == "privileged",
          "namespace: Pod Security level is not privileged (the probe needs hostNetwork)")
    for o in objects:
        namespace = o["metadata"].get("namespace")
        check(namespace in (None, INSTALL_NAMESPACE),
              f"{o['kind']} {o['metadata']['name']} lands in namespace {namespace}")


def dry_run(kube, target):
    return kube.objects("apply", "--dry-run=server", "-o", "json", "-k", str(target))


def expect_rejected(kube, overlay_patch, what):
    """A copy of config/default with one broken patch must fail the server-side dry run."""
    with tempfile.TemporaryDirectory() as tmp:
        pathlib.Path(tmp, "kustomization.yaml").write_text(json.dumps({
            "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
            "resources": [os.path.relpath(CONFIG / "default", tmp)], "patches": [overlay_patch]}))
        result = kube.run("apply", "--dry-run=server", "-k", tmp)
    check(result.returncode != 0, f"dry run accepted {what}")
    return result.stderr


def main():
    kube = Kube()
    kube.ensure_crds()
    # Namespaced objects need their namespace to exist, even in a dry run.
    kube.ensure_namespaces(INSTALL_NAMESPACE, AZURE_NAMESPACE)
    try:
        objects = dry_run(kube, CONFIG / "default")
        kinds = by_kind(objects)
        counts = {k: len(v) for k, v in kinds.items()}
        want = {"CustomResourceDefinition": 2, "Namespace": 1, "ServiceAccount": 2,
                "ClusterRole": 6, "ClusterRoleBinding": 2, "Role": 2, "RoleBinding": 2,
                "Deployment": 1, "DaemonSet": 1, "Service": 1, "ServiceMonitor": 1,
                "PodMonitor": 1, "PrometheusRule": 1, "ValidatingAdmissionPolicy": 1,
                "ValidatingAdmissionPolicyBinding": 1}
        check(counts == want, f"config/default objects {counts}, want {want}")
        check_operator(kinds)
        check_probe(kinds)
        check_monitoring(kinds)
        check_namespaces(kinds, objects)

        azure = by_kind(dry_run(kube, CONFIG / "azure"))
        reader = one(azure, "Role", "egressdiag-azure-key-reader")
        check(reader["metadata"]["namespace"] == AZURE_NAMESPACE,
              "azure: the Secret reader Role is not in the gateway namespace")

        samples = dry_run(kube, CONFIG / "samples")
        check(sorted(o["spec"]["targetRef"]["kind"] for o in samples)
              == ["EgressPolicy", "StaticGatewayConfiguration"],
              "samples: want one spidernet EgressPolicy and one Azure SGC diagnosis")

        # The fixture CRDs are strict: a misspelt field and a rule without expr are refused.
        err = expect_rejected(kube, {
            "target": {"kind": "ServiceMonitor"},
            "patch": json.dumps([{"op": "add", "path": "/spec/endpoints/0/intervall",
                                  "value": "30s"}])}, "a misspelt ServiceMonitor field")
        check("intervall" in err, f"misspelt field not named in the error: {err}")
        err = expect_rejected(kube, {
            "target": {"kind": "PrometheusRule"},
            "patch": json.dumps([{"op": "remove", "path": "/spec/groups/0/rules/0/expr"}])},
            "an alert rule without expr")
        check("expr" in err, f"missing expr not named in the error: {err}")
        expect_rejected(kube, {
            "target": {"kind": "DaemonSet"},
            "patch": json.dumps([{"op": "replace",
                                  "path": "/spec/template/spec/volumes/0/hostPath/type",
                                  "value": "NoSuchType"}])}, "an invalid hostPath type")
    finally:
        kube.delete_namespaces(INSTALL_NAMESPACE, AZURE_NAMESPACE)

    for f in failures:
        print("FAIL:", f)
    if failures:
        return 1
    print(f"manifests: config/default ({len(objects)} objects), config/azure and config/samples "
          "pass the server-side dry run and every property check")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

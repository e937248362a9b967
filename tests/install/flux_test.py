"""The Flux healthCheckExprs of config/gitops/flux/kustomization-example.yaml, evaluated by the
kube-apiserver's own CEL (the same cel-go library Flux uses) over real EgressDiagnosis objects.

Each expression becomes a ValidatingAdmissionPolicy in Warn mode on `egressdiagnoses/status`
(Flux's top-level `status`, `spec`, `metadata` become `object.status`, ...), bound to a test
namespace. Every status update then returns one warning per expression that is true, and the
test applies Flux's rule: the first true of inProgress, failed, current decides, and none means
InProgress. Each case states the outcome docs/gitops.md promises."""

import json
import pathlib
import re
import time

from installtest import REPO, Kube, fail

EXAMPLE = REPO / "config" / "gitops" / "flux" / "kustomization-example.yaml"
NAMESPACE = "egressdiag-flux-test"
ORDER = ["inProgress", "failed", "current"]


def flux_expressions():
    """{inProgress|failed|current: CEL} from the folded scalars of the example."""
    lines = EXAMPLE.read_text().splitlines()
    result = {}
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)(inProgress|failed|current): >-$", line)
        if not m:
            continue
        indent, body = len(m.group(1)), []
        for following in lines[i + 1:]:
            if following.strip() and len(following) - len(following.lstrip()) <= indent:
                break
            body.append(following.strip())
        result[m.group(2)] = " ".join(part for part in body if part)
    if sorted(result) != sorted(ORDER):
        fail(f"{EXAMPLE}: found expressions {sorted(result)}, want {ORDER}")
    return result


def to_admission(expression):
    # Flux binds the object's top-level fields as variables; admission CEL has `object`.
    return re.sub(r"(?<![\w.?])(status|spec|metadata)\b", r"object.\1", expression)


def policies(expressions):
    objects = []
    for name, expr in expressions.items():
        policy = f"egressdiag-flux-test-{name.lower()}"
        objects.append({
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingAdmissionPolicy",
            "metadata": {"name": policy},
            "spec": {
                "failurePolicy": "Fail",
                "matchConstraints": {"resourceRules": [{
                    "apiGroups": ["egressdiag.io"], "apiVersions": ["v1alpha1"],
                    "operations": ["UPDATE"], "resources": ["egressdiagnoses/status"]}]},
                "validations": [{"expression": f"!({to_admission(expr)})",
                                 "message": f"flux-expression-true:{name}"}],
            }})
        objects.append({
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingAdmissionPolicyBinding",
            "metadata": {"name": policy},
            "spec": {"policyName": policy, "validationActions": ["Warn"],
                     "matchResources": {"namespaceSelector": {
                         "matchLabels": {"kubernetes.io/metadata.name": NAMESPACE}}}}})
    return objects


def condition(type_, status, reason, generation):
    return {"type": type_, "status": status, "reason": reason, "message": "",
            "observedGeneration": generation, "lastTransitionTime": "2026-11-22T20:00:00Z"}


def diagnosis(name, policy):
    return {"apiVersion": "egressdiag.io/v1alpha1", "kind": "EgressDiagnosis",
            "metadata": {"name": name, "namespace": NAMESPACE},
            "spec": {"targetRef": {"apiGroup": "egressgateway.spidernet.io",
                                   "kind": "EgressPolicy", "name": "test"},
                     "readinessPolicy": policy}}


def set_status(kube, name, status):
    """Writes status; returns the expressions that were true (from the policies' warnings)."""
    result = kube.run("patch", "egressdiagnosis", name, "-n", NAMESPACE, "--subresource=status",
                      "--type=merge", "-p", json.dumps({"status": status}))
    if result.returncode != 0:
        fail(f"status update of {name} failed: {result.stderr}")
    if "expression" in result.stderr and "flux-expression-true" not in result.stderr:
        fail(f"a Flux expression failed to evaluate: {result.stderr}")
    return set(re.findall(r"flux-expression-true:(\w+)", result.stderr))


def flux_outcome(true_expressions):
    for name in ORDER:
        if name in true_expressions:
            return {"inProgress": "InProgress", "failed": "Failed", "current": "Current"}[name]
    return "InProgress"


def main():
    kube = Kube()
    kube.ensure_crds()
    expressions = flux_expressions()
    kube.ensure_namespaces(NAMESPACE)
    objects = policies(expressions)
    kube.ok("apply", "--server-side", "--field-manager=egressdiag-tests", "-f", "-",
            stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": objects}))
    failures = []
    try:
        for name, policy in (("reconciled", "Reconciled"), ("gated", "Healthy")):
            kube.ok("apply", "--server-side", "--field-manager=egressdiag-tests", "-f", "-",
                    stdin=json.dumps(diagnosis(name, policy)))
        # Policies take effect asynchronously: wait until a status write reports `current`.
        ready = [condition("Ready", "True", "DiagnosisActive", 1)]
        deadline = time.monotonic() + 60
        while "current" not in set_status(kube, "reconciled",
                                          {"observedGeneration": 1, "conditions": ready}):
            if time.monotonic() > deadline:
                fail("the admission policies never took effect")
            time.sleep(1)
            ready[0]["message"] = f"waiting {time.monotonic()}"  # a real change each round

        ok_conditions = [condition("Ready", "True", "DiagnosisActive", 1),
                         condition("Healthy", "True", "AllChecksPassing", 1),
                         condition("Stalled", "False", "SpecAccepted", 1)]
        broken = [condition("Ready", "True", "DiagnosisActive", 1),
                  condition("Healthy", "False", "IPRuleMissing", 1),
                  condition("Stalled", "False", "SpecAccepted", 1)]
        broken_gated = [condition("Ready", "False", "EgressUnhealthy", 1),
                        condition("Healthy", "False", "IPRuleMissing", 1),
                        condition("Stalled", "False", "SpecAccepted", 1)]
        stalled = [condition("Ready", "False", "GatewayNotFound", 1),
                   condition("Healthy", "Unknown", "GatewayNotFound", 1),
                   condition("Stalled", "True", "GatewayNotFound", 1)]
        unknown = [condition("Ready", "Unknown", "AwaitingProbes", 1),
                   condition("Healthy", "Unknown", "AwaitingProbes", 1),
                   condition("Stalled", "False", "SpecAccepted", 1)]
        stale_ready = [condition("Ready", "True", "DiagnosisActive", 0),
                       condition("Healthy", "True", "AllChecksPassing", 1)]
        cases = [
            ("healthy", "reconciled", {"observedGeneration": 1, "conditions": ok_conditions},
             "Current"),
            ("egress broken, Reconciled", "reconciled",
             {"observedGeneration": 1, "conditions": broken}, "Current"),
            ("stalled", "reconciled", {"observedGeneration": 1, "conditions": stalled},
             "Failed"),
            ("awaiting probes", "reconciled", {"observedGeneration": 1, "conditions": unknown},
             "InProgress"),
            ("status of an older generation", "reconciled",
             {"observedGeneration": 0, "conditions": ok_conditions}, "InProgress"),
            ("Ready computed for an older generation", "reconciled",
             {"observedGeneration": 1, "conditions": stale_ready}, "InProgress"),
            ("no conditions yet", "reconciled", {"observedGeneration": 1, "conditions": []},
             "InProgress"),
            ("egress broken, Healthy policy", "gated",
             {"observedGeneration": 1, "conditions": broken_gated}, "Failed"),
            ("healthy, Healthy policy", "gated",
             {"observedGeneration": 1, "conditions": ok_conditions}, "Current"),
            ("stalled, Healthy policy", "gated", {"observedGeneration": 1, "conditions": stalled},
             "Failed"),
        ]
        for title, name, status, want in cases:
            true_expressions = set_status(kube, name, status)
            got = flux_outcome(true_expressions)
            line = f"{title}: {got} (true: {sorted(true_expressions)})"
            print(("ok   " if got == want else "FAIL ") + line + ("" if got == want
                                                                   else f", want {want}"))
            if got != want:
                failures.append(title)
    finally:
        for o in objects:
            kube.run("delete", "--ignore-not-found", o["kind"].lower(), o["metadata"]["name"])
        kube.delete_namespaces(NAMESPACE)
    print(f"{len(cases) - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

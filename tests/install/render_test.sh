#!/usr/bin/env bash
# Every kustomization under config/ renders offline (`kubectl kustomize`, no cluster), and
# config/default holds each kind of the install exactly as often as docs/install.md says.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=hack/testenv/versions.sh
source "$root/hack/testenv/versions.sh"
kubectl=$(testenv_bin_dir)/kubectl
[[ -x $kubectl ]] || kubectl=$KUBECTL_PREBUILT
fail() { echo "FAIL: $*" >&2; exit 1; }

n=0
while IFS= read -r k; do
  dir=$(dirname "$k")
  "$kubectl" kustomize "$dir" >/dev/null || fail "kubectl kustomize ${dir#"$root"/} failed"
  n=$((n + 1))
done < <(find "$root/config" -name kustomization.yaml | sort)
((n >= 8)) || fail "expected at least 8 kustomizations under config/, found $n"

kinds=$("$kubectl" kustomize "$root/config/default" | sed -n 's/^kind: //p' | sort | uniq -c |
  awk '{print $2 "=" $1}' | paste -sd' ')
want="ClusterRole=6 ClusterRoleBinding=2 CustomResourceDefinition=2 DaemonSet=1 Deployment=1"
want+=" Namespace=1 PodMonitor=1 PrometheusRule=1 Role=2 RoleBinding=2 Service=1"
want+=" ServiceAccount=2 ServiceMonitor=1 ValidatingAdmissionPolicy=1"
want+=" ValidatingAdmissionPolicyBinding=1"
[[ $kinds == "$want" ]] || fail "config/default renders $kinds; want $want"

# config/crd is our crds/ verbatim (no second copy of the CRDs to drift).
diff <("$kubectl" kustomize "$root/config/crd") <("$kubectl" kustomize "$root/crds") >/dev/null ||
  fail "config/crd does not render crds/"
echo "render: $n kustomizations render; config/default has $kinds"

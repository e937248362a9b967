#!/usr/bin/env bash
# Operator benchmark (not a test): N EgressDiagnoses over N spidernet policies, M nodes with
# tunnels, reports and probe Leases, P pods, on a real control plane (hack/testenv).
# Prints: time to converge from cold start (every diagnosis has a Healthy condition), reconcile
# p50/p99 (from egressdiag_reconcile_duration_seconds), operator RSS, API writes per minute in
# steady state, and the reconciles caused by relabelling 100 pods (each selected by one policy;
# with the pod->policy routing that is about one reconcile per pod update, not one per
# diagnosis).
#
#   [OPERATOR_FLAGS="--kube-api-qps 100 ..."] bench.sh OPERATOR_BINARY [DIAGNOSES=500]
#     [NODES=200] [PODS=5000]
set -euo pipefail
operator=$1
diagnoses=${2:-500}
nodes=${3:-200}
pods=${4:-5000}
root=$(cd "$(dirname "$0")/../../.." && pwd)
state=$(mktemp -d /tmp/egressdiag-op-bench.XXXXXX)
op_pid=
cleanup() {
  [[ -n $op_pid ]] && kill "$op_pid" 2>/dev/null && wait "$op_pid" 2>/dev/null || true
  "$root/hack/testenv/down.sh" --state-dir "$state/plane" >/dev/null 2>&1 || true
}
trap cleanup EXIT
"$root/hack/testenv/up.sh" --state-dir "$state/plane" >/dev/null
# shellcheck disable=SC1091
source "$state/plane/env"
export KUBECONFIG
k() { "$KUBECTL" "$@"; }
now() { date -u +%Y-%m-%dT%H:%M:%S.000000Z; }

k apply -f "$root/crds/egressdiag.io_egressdiagnoses.yaml" -f "$root/crds/egressdiag.io_egressnodereports.yaml" >/dev/null
k apply -k "$root/tests/fixtures/crds/" >/dev/null
k wait --for=condition=Established crd --all --timeout=120s >/dev/null
k create namespace egressdiag-system >/dev/null
k create serviceaccount default -n default >/dev/null

echo "creating $nodes nodes, tunnels, reports, leases; $pods pods; $diagnoses policies+diagnoses"
gen() { # gen KIND COUNT TEMPLATE-FUNCTION -> a List on stdout
  echo '{"apiVersion":"v1","kind":"List","items":['
  for ((i = 0; i < $2; i++)); do
    ((i > 0)) && echo ','
    "$3" "$i"
  done
  echo ']}'
}
node_obj() { printf '{"apiVersion":"v1","kind":"Node","metadata":{"name":"n%d"}}' "$1"; }
tunnel_obj() { printf '{"apiVersion":"egressgateway.spidernet.io/v1beta1","kind":"EgressTunnel","metadata":{"name":"n%d"},"spec":{}}' "$1"; }
lease_obj() { printf '{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"egressdiag-probe-n%d","namespace":"egressdiag-system"},"spec":{"holderIdentity":"n%d","leaseDurationSeconds":3600,"renewTime":"%s"}}' "$1" "$1" "$(now)"; }
report_obj() { printf '{"apiVersion":"egressdiag.io/v1alpha1","kind":"EgressNodeReport","metadata":{"name":"n%d"},"spec":{}}' "$1"; }
pod_obj() { printf '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p%d","namespace":"default","labels":{"app":"a%d"}},"spec":{"nodeName":"n%d","containers":[{"name":"c","image":"registry.invalid/x"}]}}' "$1" $(($1 % diagnoses)) $(($1 % nodes)); }
policy_obj() { printf '{"apiVersion":"egressgateway.spidernet.io/v1beta1","kind":"EgressPolicy","metadata":{"name":"p%d","namespace":"default"},"spec":{"egressGatewayName":"default","destSubnet":["10.0.0.1/32"],"appliedTo":{"podSelector":{"matchLabels":{"app":"a%d"}}}}}' "$1" "$1"; }
diag_obj() { printf '{"apiVersion":"egressdiag.io/v1alpha1","kind":"EgressDiagnosis","metadata":{"name":"d%d","namespace":"default"},"spec":{"targetRef":{"apiGroup":"egressgateway.spidernet.io","kind":"EgressPolicy","name":"p%d"}}}' "$1" "$1"; }
for kind in node_obj tunnel_obj lease_obj report_obj pod_obj policy_obj; do
  count=$nodes
  [[ $kind == pod_obj ]] && count=$pods
  [[ $kind == policy_obj ]] && count=$diagnoses
  gen x "$count" "$kind" | k create -f - >/dev/null
done

start=$(date +%s.%N)
for ((i = 0; i < diagnoses; i++)); do diag_obj "$i"; echo; done | jq -s '{apiVersion:"v1",kind:"List",items:.}' | k create -f - >/dev/null
"$operator" --kubeconfig "$KUBECONFIG" --namespace egressdiag-system \
  --metrics-bind-address 127.0.0.1:0 --health-probe-bind-address 127.0.0.1:0 \
  --log-level info ${OPERATOR_FLAGS:-} >"$state/operator.log" 2>&1 &
op_pid=$!
port=
for _ in $(seq 60); do
  port=$(sed -n 's/.*"msg":"serving metrics".*"port":"\([0-9]*\)".*/\1/p' "$state/operator.log" | head -1)
  [[ -n $port ]] && break
  sleep 0.5
done
[[ -n $port ]] || { cat "$state/operator.log"; exit 1; }
until [[ $(k get egd -n default -o json | jq '[.items[] | select(.status.conditions != null)] | length') -ge $diagnoses ]]; do
  sleep 1
done
converged=$(echo "$(date +%s.%N) - $start" | bc)
metrics() { curl -sf "http://127.0.0.1:$port/metrics"; }
quantile() { # from the cumulative histogram buckets
  metrics | awk -v q="$1" '
    /^egressdiag_reconcile_duration_seconds_bucket/ { match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5); b[++n] = le; c[n] = $2 }
    END { total = c[n]; for (i = 1; i <= n; i++) if (c[i] >= q * total) { print b[i]; exit } }'
}
writes() { metrics | awk '/^egressdiag_api_requests_total/ && /verb="(PATCH|POST|PUT|DELETE)"/ {s += $2} END {print s + 0}'; }
w0=$(writes)
sleep 60
w1=$(writes)
rss=$(awk '/VmRSS/ {print $2 / 1024 " MiB"}' "/proc/$op_pid/status")
reconciles() { metrics | awk '$1 == "egressdiag_reconcile_duration_seconds_count" {print $2}'; }
churn=100
((churn <= pods)) || churn=$pods
r0=$(reconciles)
churn_start=$(date +%s.%N)
k label pods -n default $(seq -f 'p%.0f' 0 $((churn - 1))) churn=1 --overwrite >/dev/null
# Settled: the count has not moved for 3 s.
last=$(reconciles)
stable=0
while ((stable < 6)); do
  sleep 0.5
  cur=$(reconciles)
  if [[ $cur == "$last" ]]; then ((++stable)); else stable=0; last=$cur; fi
done
churn_seconds=$(echo "$(date +%s.%N) - $churn_start - 3" | bc)
echo "diagnoses=$diagnoses nodes=$nodes pods=$pods"
echo "converge_seconds=$converged"
echo "reconcile_p50_le_seconds=$(quantile 0.5) reconcile_p99_le_seconds=$(quantile 0.99)"
echo "operator_rss=$rss"
echo "api_writes_per_minute_steady=$((w1 - w0))"
echo "pod_updates=$churn reconciles_caused=$((${last%.*} - ${r0%.*})) settled_seconds=$churn_seconds"

#!/usr/bin/env bash
# The whole system on one real-kernel lab (issue 7): a private control plane (one cluster per
# egress-gateway project, as in real life: spidernet's controller gives every Node a tunnel), the
# operator and one `egressdiag-probe run` per lab node, each with its own ServiceAccount's token
# (hack/lab/cluster.sh), and the sample diagnosis. Asserts:
#   1. healthy: the diagnosis is Healthy=True with the lab's egress IP and gateway node;
#   2. metrics: the operator's and the probes' endpoints expose the expected series;
#   3. every lab fault (hack/lab/labgen.py FAULT_CHECKS): the diagnosis of its lab turns
#      Healthy=False naming the fault's check on the fault's node, then recovers after repair;
#      the probe counts the repair as drift (egressdiag_drift_repairs_total);
#   4. spidernet: with the API server stopped, a fault still shows in the probe's metrics, the
#      failed writes are counted, and the report carries it once the server is back;
#   5. spidernet: a probe killed and restarted never lets Healthy turn True before its new
#      evaluation.
#   system_e2e.sh BUILD_DIR spidernet|azure
set -euo pipefail
build=$1
flavour=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
cluster=$root/hack/lab/cluster.sh
export EGRESSDIAG_CLUSTER_DIR
EGRESSDIAG_CLUSTER_DIR=$(mktemp -d /tmp/egressdiag-system-e2e.XXXXXX)
export EGRESSDIAG_CLUSTER_PORT_BASE=${EGRESSDIAG_CLUSTER_PORT_BASE:-31700}
# Polled state (iptables, ipsets, sysctls, WireGuard) is re-read every 2 s instead of 10 s so
# the suite stays short; the detection benchmark measures the default.
export EGRESSDIAG_PROBE_ARGS="--poll-interval 2"
unset EGRESSDIAG_TESTENV_DIR

failures=0
passes=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { passes=$((passes + 1)); }
cleanup() {
  "$cluster" down >/dev/null 2>&1 || true
  rm -rf "$EGRESSDIAG_CLUSTER_DIR"
}
trap cleanup EXIT

"$cluster" up --labs "$flavour" --samples --build-dir "$build"
eval "$("$cluster" env)"
export KUBECONFIG
k() { "$KUBECTL" "$@"; }

# diag_of FLAVOUR -> "namespace/name" of the sample diagnosis of that lab
diag_of() {
  local kind=EgressPolicy
  [[ $1 == azure ]] && kind=StaticGatewayConfiguration
  k get egd -A -o json | jq -r --arg kind "$kind" \
    '.items[] | select(.spec.targetRef.kind == $kind) | .metadata.namespace + "/" + .metadata.name' |
    head -1
}
# cond NS/NAME TYPE -> status of that condition
cond() {
  k get egd -n "${1%%/*}" "${1#*/}" -o json |
    jq -r --arg t "$2" '(.status.conditions // [])[] | select(.type == $t) | .status'
}
# wait_cond NS/NAME STATUS SECONDS -> 0 when Healthy reached STATUS in time
wait_cond() {
  local deadline=$((SECONDS + $3))
  while ((SECONDS < deadline)); do
    [[ $(cond "$1" Healthy) == "$2" ]] && return 0
    sleep 0.3
  done
  return 1
}
failing_has() { # failing_has NS/NAME CHECK NODE
  k get egd -n "${1%%/*}" "${1#*/}" -o json |
    jq -e --arg c "$2" --arg n "$3" \
      '(.status.failingChecks // []) | any(.check == $c and .node == $n)' >/dev/null
}
port_of() { awk -v n="$1" '$1 == n {print $4}' "$EGRESSDIAG_CLUSTER_DIR/components"; }
metrics() { curl -fsS --max-time 3 "http://127.0.0.1:$(port_of "$1")/metrics"; }

d=$(diag_of "$flavour")
[[ -n $d ]] || { echo "no sample diagnosis for the $flavour lab"; exit 1; }
lab_json=/run/egressdiag-lab/$flavour/lab.json

echo "== 1. healthy"
if wait_cond "$d" True 90; then ok; else
  fail "$d never Healthy=True: $(k get egd -n "${d%%/*}" "${d#*/}" -o jsonpath='{.status.failingChecks}')"
fi
k get egd -A -o wide
got=$(k get egd -n "${d%%/*}" "${d#*/}" -o jsonpath='{.status.egressIP} {.status.gatewayNode}')
if [[ $flavour == spidernet ]]; then
  want=$(jq -r '.policy.eip + " " + .policy.eipNode' "$lab_json")
  [[ $got == "$want" ]] && ok || fail "egressIP/gateway '$got', want '$want'"
else
  gw_node=$(jq -r '.nodes[] | select(.gateway) | .name' "$lab_json" | head -1)
  [[ $got == *" $gw_node" && $got != " "* ]] && ok || fail "egressIP/gateway '$got', want an IP and $gw_node"
fi
[[ $(cond "$d" ProbeCoverage) == True ]] && ok || fail "$d ProbeCoverage not True"

echo "== 2. metrics"
# The operator refreshes report ages on its housekeeping tick (10 s).
for _ in $(seq 1 40); do
  op=$(metrics operator)
  grep -qF 'egressdiag_node_report_age_seconds{' <<<"$op" &&
    grep -qE '^egressdiag_diagnosis_healthy\{.*\} 1$' <<<"$op" && break
  sleep 0.5
done
for series in 'egressdiag_diagnosis_healthy{' 'egressdiag_node_report_age_seconds{' \
  'egressdiag_reconcile_duration_seconds_bucket' 'egressdiag_api_requests_total{'; do
  grep -qF "$series" <<<"$op" && ok || fail "operator metrics lack $series"
done
grep -E '^egressdiag_diagnosis_healthy\{.*\} 1$' <<<"$op" | grep -q . && ok ||
  fail "operator reports no healthy diagnosis"
first_node=$(jq -r '.nodes[0].name' "$lab_json")
e2e_node=$(jq -r '.nodes[] | select(.gateway | not) | .name' "$lab_json" | head -1)
for node in "$e2e_node"; do
  pm=$(metrics "$node")
  for series in 'egressdiag_probe_snapshot_seconds_bucket' 'egressdiag_probe_checks{' \
    'egressdiag_source_ip_checks_total{result="match"}' 'egressdiag_api_requests_total{' \
    'egressdiag_probe_last_evaluation_timestamp_seconds'; do
    grep -qF "$series" <<<"$pm" && ok || fail "$node metrics lack $series"
  done
  grep -E '^egressdiag_source_ip_checks_total\{result="match"\} [1-9]' <<<"$pm" | grep -q . && ok ||
    fail "$node: no matching source-IP check counted"
done
if [[ $flavour == spidernet ]]; then
  grep -qE '^egressdiag_tunnel_rtt_seconds\{peer_node="node2"\} ' <<<"$(metrics node1)" && ok ||
    fail "node1 exports no tunnel RTT to node2"
fi
curl -fsS "http://127.0.0.1:$(awk -v n="$first_node" '$1 == n {print $5}' "$EGRESSDIAG_CLUSTER_DIR/components")/readyz" \
  >/dev/null && ok || fail "$first_node /readyz not ready"

echo "== 3. faults"
while read -r name node check; do
  t0=$SECONDS
  "$root/hack/lab/fault.sh" "$name" >/dev/null
  detected=0
  deadline=$((SECONDS + 30))
  while ((SECONDS < deadline)); do
    if [[ $(cond "$d" Healthy) == False ]] && failing_has "$d" "$check" "$node"; then
      detected=1
      break
    fi
    sleep 0.3
  done
  took=$((SECONDS - t0))
  if ((detected)); then ok; else
    fail "$name: $d not Healthy=False with $check on $node within 30 s: $(k get egd -n "${d%%/*}" "${d#*/}" -o jsonpath='{.status.failingChecks}')"
  fi
  "$root/hack/lab/repair.sh" "$flavour" >/dev/null
  if wait_cond "$d" True 40; then ok; else fail "$name: $d did not recover after repair"; fi
  drift=$(metrics "$node" | awk -v c="$check" '$1 == "egressdiag_drift_repairs_total{check=\"" c "\"}" {print $2}')
  [[ ${drift:-0} != 0 ]] && ok || fail "$name: $node counted no drift repair of $check"
  echo "   $name -> $check on $node: detected in ≤${took}s, recovered"
done < <(jq -r '.faults[] | .name + " " + .nodes[0] + " " + .check' "$lab_json")

if [[ $flavour == spidernet ]]; then
  echo "== 4. API server unreachable: the probe keeps checking and reports when it is back"
  te=$EGRESSDIAG_TESTENV_DIR
  writes_failed() {
    metrics node1 | awk '$1 == "egressdiag_probe_report_writes_total{result=\"error\"}" {print $2}'
  }
  apiserver=$(<"$te/kube-apiserver.pid")
  kill -TERM "$apiserver"
  for _ in $(seq 1 100); do kill -0 "$apiserver" 2>/dev/null || break; sleep 0.1; done
  "$root/hack/lab/fault.sh" spn-ip-rule-missing >/dev/null
  seen=0
  for _ in $(seq 1 60); do
    if metrics node1 | grep -qE '^egressdiag_probe_checks\{check="SPN-IP-RULE",status="Fail"\} 1'; then
      seen=1
      break
    fi
    sleep 0.5
  done
  ((seen)) && ok || fail "API down: node1's metrics do not show SPN-IP-RULE failing"
  failed_writes=0
  for _ in $(seq 1 30); do
    failed_writes=$(writes_failed)
    [[ ${failed_writes:-0} != 0 ]] && break
    sleep 0.5
  done
  [[ ${failed_writes:-0} != 0 ]] && ok || fail "API down: no failed report write counted"
  (cd "$te" && eval "setsid $(cat kube-apiserver.cmd) >>kube-apiserver.log 2>&1 </dev/null &" &&
    echo $! >kube-apiserver.pid)
  # A leader that cannot renew its Lease exits (as controller-runtime does); its Deployment
  # would restart it, so the test does.
  if ! "$cluster" status | awk '$1 == "operator" {print $6}' | grep -qx up; then
    "$cluster" start operator >/dev/null
  fi
  back=0
  for _ in $(seq 1 120); do
    if k get egressnodereport node1 -o json 2>/dev/null |
      jq -e '[.status.targets[].findings[] | select(.check == "SPN-IP-RULE" and .status == "Fail")] | length > 0' >/dev/null; then
      back=1
      break
    fi
    sleep 0.5
  done
  ((back)) && ok || fail "API back: node1's report never showed the fault found while it was down"
  # The operator's watches reconnect with backoff; it must then see the fault as well.
  seen=0
  for _ in $(seq 1 120); do
    if [[ $(cond "$d" Healthy) == False ]] && failing_has "$d" SPN-IP-RULE node1; then
      seen=1
      break
    fi
    sleep 0.5
  done
  ((seen)) && ok || fail "API back: $d never showed SPN-IP-RULE on node1"
  "$root/hack/lab/repair.sh" spidernet >/dev/null
  wait_cond "$d" True 60 && ok || fail "API back: $d did not recover"
fi

echo "== 5. probe restart"
if [[ $flavour != spidernet ]]; then
  echo "$passes passed, $failures failed"
  ((failures == 0))
  exit
fi
"$root/hack/lab/fault.sh" spn-ip-rule-missing >/dev/null
wait_cond "$d" False 30 && ok || fail "restart: fault not detected"
"$cluster" stop node1 >/dev/null
"$root/hack/lab/repair.sh" spidernet >/dev/null
restart=$(date -u +%s)
"$cluster" start node1 >/dev/null
deadline=$((SECONDS + 60))
seen_true=0
while ((SECONDS < deadline)); do
  if [[ $(cond "$d" Healthy) == True ]]; then
    seen_true=1
    probe_time=$(k get egressnodereport node1 -o jsonpath='{.status.lastProbeTime}')
    probe_s=$(date -u -d "$probe_time" +%s)
    # The report that made it True must be one the restarted probe wrote (second resolution).
    ((probe_s >= restart - 1)) && ok ||
      fail "Healthy=True at $(date -u +%T) from a report of $probe_time, before the restart at $(date -u -d @"$restart" +%T)"
    break
  fi
  sleep 0.2
done
((seen_true)) && ok || fail "restart: never recovered"

echo "$passes passed, $failures failed"
((failures == 0))

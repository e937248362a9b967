#!/usr/bin/env bash
# End-to-end test of egressdiag-operator against a real kube-apiserver (hack/testenv), with
# upstream objects from the spidernet seed and node reports/Leases written by this script (the
# probe is not the subject here). Starts its own control plane (e2e_lib.sh) so it can install
# CRDs at will. The eleven control-plane faults, Azure-only and auto mode: operator_faults_e2e.sh.
#
#   operator_e2e.sh OPERATOR_BINARY REPO_ROOT
set -euo pipefail
operator=$1
root=$2
# shellcheck source=tests/operator/controller/e2e_lib.sh
source "$root/tests/operator/controller/e2e_lib.sh"

step "operator starts with only our CRDs (no spidernet, no Azure) and serves health"
install_our_crds
start_operator op-a
wait_for "op-a health port" 30 grep -q 'serving health probes' "$state/op-a.log"
health_a=$(port_of "$state/op-a.log" "serving health probes")
metrics_a=$(port_of "$state/op-a.log" "serving metrics")
wait_for "op-a /healthz" 30 curl -sf "http://127.0.0.1:$health_a/healthz"
wait_for "op-a /readyz" 60 curl -sf "http://127.0.0.1:$health_a/readyz"
wait_for "op-a leadership" 60 grep -q '"msg":"became leader"' "$state/op-a.log"
start_operator op-b
wait_for "op-b health port" 30 grep -q 'serving health probes' "$state/op-b.log"
health_b=$(port_of "$state/op-b.log" "serving health probes")
metrics_b=$(port_of "$state/op-b.log" "serving metrics")
wait_for "op-b /readyz" 60 curl -sf "http://127.0.0.1:$health_b/readyz"
[[ $(metric "$metrics_a" egressdiag_leader) == 1 ]] || fail "op-a is not the leader"
[[ $(metric "$metrics_b" egressdiag_leader) == 0 ]] || fail "op-b claims leadership too"

step "spidernet and Calico CRDs installed while running are picked up"
k apply -k "$root/tests/fixtures/crds/" >/dev/null
k wait --for=condition=Established crd --all --timeout=60s >/dev/null
wait_for "op-a watching EgressPolicy" 30 grep -q '"msg":"watching optional kind","kind":"EgressPolicy"' "$state/op-a.log"

step "seed objects with healthy statuses"
seed_spidernet
for n in node1 node2; do probe "$n" 40 EgressPolicy/default/test; done

step "healthy target: Healthy=True, Ready=True, printer columns"
k apply -f - >/dev/null <<'YAML'
apiVersion: egressdiag.io/v1alpha1
kind: EgressDiagnosis
metadata: {name: test, namespace: default}
spec:
  targetRef: {apiGroup: egressgateway.spidernet.io, kind: EgressPolicy, name: test}
YAML
wait_for "Healthy=True" 60 cond_is test Healthy True
cond_is test Ready True || fail "Ready is $(cond test Ready status)"
row=$(k get egd test -n default --no-headers)
echo "    $row"
[[ $row == *172.16.25.189* && $row == *node2* && $row == *True* && $row == *2/2* ]] ||
  fail "printer columns: $row"

step "control-plane fault: EgressTunnel node1 phase Init -> Healthy=False (SPN-TUNNELS)"
renew_leases node1 node2
patch_status egresstunnel node1 -p '{"status":{"phase":"Init"}}'
wait_for "Healthy=False" 30 cond_is test Healthy False
[[ $(cond test Healthy reason) == TunnelNotReady ]] || fail "reason $(cond test Healthy reason)"
[[ $(cond test Healthy message) == *SPN-TUNNELS* ]] || fail "message $(cond test Healthy message)"
sleep 2
patch_status egresstunnel node1 -p '{"status":{"phase":"Ready"}}'
wait_for "Healthy=True again" 30 cond_is test Healthy True
[[ $(k get egd test -n default -o jsonpath='{.status.outages[*].reason}') == TunnelNotReady ]] ||
  fail "outages: $(k get egd test -n default -o jsonpath='{.status.outages}')"
[[ -n $(k get egd test -n default -o jsonpath='{.status.outages[0].end}') ]] || fail "outage not closed"
wait_for "one EgressRestored event" 15 test "$(events_of EgressRestored)" = 1
[[ $(events_of EgressDegraded) == 1 ]] || fail "EgressDegraded events: $(events_of EgressDegraded)"

step "steady state: no status write for 60 s"
writes_before=$(metric "$metrics_a" egressdiag_status_writes_total)
for _ in 1 2 3 4 5 6; do renew_leases node1 node2; sleep 10; done
writes_after=$(metric "$metrics_a" egressdiag_status_writes_total)
echo "    status writes over 60 s of steady state: $((${writes_after%.*} - ${writes_before%.*}))"
[[ ${writes_after%.*} == "${writes_before%.*}" ]] || fail "status written in steady state ($writes_before -> $writes_after)"

step "datapath failure in a node report -> DatapathProgrammed=False naming node and check"
patch_status egressnodereport node1 -p '{"status":{"targets":[{"target":"EgressPolicy/default/test","findings":[{"check":"SPN-IP-RULE","layer":"Datapath","status":"Fail","reason":"IPRuleMissing","message":"no rule 99: from all fwmark 0x26b7b4e4 lookup 649573604"}]}]}}'
wait_for "DatapathProgrammed=False" 30 cond_is test DatapathProgrammed False
[[ $(cond test DatapathProgrammed message) == *"SPN-IP-RULE on node1"* ]] ||
  fail "message $(cond test DatapathProgrammed message)"
patch_status egressnodereport node1 -p '{"status":{"targets":[{"target":"EgressPolicy/default/test","findings":[]}]}}'
renew_leases node1 node2
wait_for "Healthy=True after datapath repair" 30 cond_is test Healthy True

step "leader killed: the other replica takes over without duplicate events"
degraded_before=$(events_of EgressDegraded)
kill -9 "${pids[0]}"
wait_for "op-b leadership" 60 grep -q '"msg":"became leader"' "$state/op-b.log"
renew_leases node1 node2
sleep 3
[[ $(events_of EgressDegraded) == "$degraded_before" ]] || fail "duplicate events after failover"
[[ $(metric "$metrics_b" egressdiag_leader) == 1 ]] || fail "op-b is not leading"

step "Lease expiry -> ProbeCoverage=False, Healthy not True"
k patch lease -n egressdiag-system egressdiag-probe-node1 --type=merge \
  -p '{"spec":{"renewTime":"2020-01-01T00:00:00.000000Z"}}' >/dev/null
renew_leases node2
wait_for "ProbeCoverage=False" 30 cond_is test ProbeCoverage False
[[ $(cond test Healthy status) != True ]] || fail "Healthy=True without coverage"
[[ $(cond test ProbeCoverage message) == *node1* ]] || fail "coverage message"

step "missing target -> Stalled=True; fixed spec recovers"
k apply -f - >/dev/null <<'YAML'
apiVersion: egressdiag.io/v1alpha1
kind: EgressDiagnosis
metadata: {name: missing, namespace: default}
spec:
  targetRef: {apiGroup: egressgateway.spidernet.io, kind: EgressPolicy, name: nope}
YAML
wait_for "Stalled=True" 30 cond_is missing Stalled True
[[ $(cond missing Stalled reason) == TargetNotFound ]] || fail "stall reason $(cond missing Stalled reason)"
k patch egd missing -n default --type=merge -p '{"spec":{"targetRef":{"name":"test"}}}' >/dev/null
wait_for "Stalled=False" 30 cond_is missing Stalled False

echo "PASS"

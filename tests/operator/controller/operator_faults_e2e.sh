#!/usr/bin/env bash
# End-to-end test of egressdiag-operator against a real kube-apiserver (hack/testenv):
#  1. only the Azure CRDs installed: a healthy StaticGatewayConfiguration diagnosis is
#     Healthy=True with its printer columns;
#  2. auto mode: --auto-diagnose creates one EgressDiagnosis per SGC / EgressPolicy that has
#     none, owned by it, and none for a target already covered;
#  3. each of the eleven control-plane faults of the operator issue: injected -> Healthy=False
#     with the right check and reason; repaired -> Healthy=True, one more closed outage with a
#     non-zero duration, exactly one more EgressDegraded and one more EgressRestored event.
#     The four Azure faults run on Azure only; then the Azure objects go, the spidernet and
#     Calico CRDs are installed while the operator runs and the seven spidernet faults follow,
#     then an eighth that no object change reveals: tunnel heartbeats going stale with
#     gatewayFailover on (the verdict changes with time alone).
# Node reports and probe Leases are written by the script (the probe is not the subject); the
# Leases last an hour so coverage never lapses while faults run.
#
#   operator_faults_e2e.sh OPERATOR_BINARY REPO_ROOT
set -euo pipefail
operator=$1
root=$2
# shellcheck source=tests/operator/controller/e2e_lib.sh
source "$root/tests/operator/controller/e2e_lib.sh"
started=$SECONDS

gw=aks-gwpool-12345678-vmss000000
worker=aks-nodepool1-12345678-vmss000000
samples=$root/tests/fixtures/samples
testdata=$root/tests/operator/controller/testdata

step "only our and the Azure CRDs installed; healthy Azure objects"
install_our_crds
for crd in "$root"/tests/fixtures/crds/egressgateway.kubernetes.azure.com_*.yaml; do
  k apply -f "$crd" >/dev/null
done
k wait --for=condition=Established crd --all --timeout=60s >/dev/null
k apply -f "$samples/azure.yaml" -f "$testdata/azure-seed.yaml" >/dev/null
k apply --server-side --subresource=status --field-manager=egressdiag-e2e \
  -f "$samples/azure-status.yaml" >/dev/null
node_ready "$gw" 10.243.0.4
node_ready "$worker" 10.243.0.5
deploy_available kube-egress-gateway-system kube-egress-gateway-controller-manager
ds_ready kube-egress-gateway-system kube-egress-gateway-daemon-manager 1
ds_ready kube-egress-gateway-system kube-egress-gateway-cni-manager 2
pod_running default egress-client 10.244.0.20
for n in "$gw" "$worker"; do probe "$n" 3600 StaticGatewayConfiguration/default/egress-demo; done
k apply -f - >/dev/null <<'YAML'
apiVersion: egressdiag.io/v1alpha1
kind: EgressDiagnosis
metadata: {name: aks, namespace: default}
spec:
  targetRef: {apiGroup: egressgateway.kubernetes.azure.com, kind: StaticGatewayConfiguration, name: egress-demo}
YAML

step "operator (auto mode) on Azure only: SGC diagnosis Healthy=True"
start_operator op --auto-diagnose
wait_for "Healthy=True (aks)" 60 cond_is aks Healthy True
cond_is aks Ready True || fail "Ready is $(cond aks Ready status)"
row=$(k get egd aks -n default --no-headers)
echo "    $row"
[[ $row == *1.2.3.4/31* && $row == *"$gw"* && $row == *True* && $row == *2/2* ]] ||
  fail "printer columns: $row"
grep -q '"kind":"StaticGatewayConfiguration"' "$state/op.log" || fail "SGC informer not started"
if grep -q '"msg":"watching optional kind","kind":"EgressPolicy"' "$state/op.log"; then
  fail "watching EgressPolicy without its CRD"
fi

step "auto mode: a new SGC gets an owned diagnosis; a covered one does not"
k apply -f - >/dev/null <<'YAML'
apiVersion: egressgateway.kubernetes.azure.com/v1alpha1
kind: StaticGatewayConfiguration
metadata: {name: second, namespace: default}
spec: {gatewayNodepoolName: gwpool, provisionPublicIps: true}
YAML
wait_for "auto-sgc-second" 30 k get egd auto-sgc-second -n default
owner=$(k get egd auto-sgc-second -n default \
  -o jsonpath='{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}/{.metadata.ownerReferences[0].uid}')
[[ $owner == "StaticGatewayConfiguration/second/$(k get staticgatewayconfiguration second -n default -o jsonpath='{.metadata.uid}')" ]] ||
  fail "owner of auto-sgc-second: $owner"
[[ $(k get egd auto-sgc-second -n default -o jsonpath='{.spec.targetRef.name}') == second ]] ||
  fail "auto-sgc-second target"
[[ $(k get egd -n default -l egressdiag.io/auto=true -o name) == */auto-sgc-second ]] ||
  fail "auto diagnoses: $(k get egd -n default -l egressdiag.io/auto=true -o name)"
k delete staticgatewayconfiguration second -n default >/dev/null
sleep 1  # the informer sees the SGC gone before the diagnosis is
k delete egd auto-sgc-second -n default >/dev/null

# outage_field NAME INDEX FIELD
outage_field() {
  k get egd "$1" -n default -o jsonpath="{.status.outages[$2].$3}"
}
outage_count() { k get egd "$1" -n default -o json | jq '.status.outages | length'; }
event_notes() { # event_notes REASON NAME -> notes, oldest first
  k get events.events.k8s.io -n default -o json |
    jq -r --arg r "$1" --arg n "$2" \
      '[.items[] | select(.reason == $r and .regarding.name == $n)] | sort_by(.eventTime) | .[].note'
}
balanced() { [[ $(events_of EgressDegraded "$1") == $(events_of EgressRestored "$1") ]]; }
events_are() { # events_are DIAGNOSIS: its Degraded/Restored counts are the expected ones
  [[ $(events_of EgressDegraded "$1") == "${degraded_want[$1]}" &&
    $(events_of EgressRestored "$1") == "${restored_want[$1]}" ]]
}

# Expected Degraded (= Restored) events per diagnosis: what setup left (a diagnosis created
# while the seed statuses were still being written has had an outage) plus one per fault.
declare -A degraded_want restored_want faults_of
# fault DIAGNOSIS CHECK REASON DESCRIPTION INJECT REPAIR: INJECT/REPAIR are shell commands.
fault() {
  local egd=$1 check=$2 reason=$3 what=$4 inject=$5 repair=$6 t0=$SECONDS
  step "fault: $what -> $check $reason"
  local outages; outages=$(outage_count "$egd")
  if [[ -z ${faults_of[$egd]:-} ]]; then
    wait_for "setup outages of $egd closed" 15 balanced "$egd"
    faults_of[$egd]=0
    degraded_want[$egd]=$(events_of EgressDegraded "$egd")
    restored_want[$egd]=$(events_of EgressRestored "$egd")
  fi
  eval "$inject"
  wait_for "$what: Healthy=False" 30 cond_is "$egd" Healthy False
  [[ $(cond "$egd" Healthy reason) == "$reason" ]] || fail "reason $(cond "$egd" Healthy reason)"
  [[ $(cond "$egd" Healthy message) == *"$check"* ]] || fail "message $(cond "$egd" Healthy message)"
  sleep 1  # status times have seconds precision: a measurable outage
  eval "$repair"
  wait_for "$what: Healthy=True again" 30 cond_is "$egd" Healthy True
  local count; count=$(outage_count "$egd")
  ((count == outages + 1)) || fail "outages $outages -> $count"
  local last=$((count - 1)) start end
  [[ $(outage_field "$egd" $last reason) == "$reason" ]] || fail "outage reason"
  start=$(outage_field "$egd" $last start)
  end=$(outage_field "$egd" $last end)
  [[ -n $end ]] || fail "outage not closed"
  (($(date -d "$end" +%s) - $(date -d "$start" +%s) >= 1)) || fail "outage $start .. $end"
  faults_of[$egd]=$((faults_of[$egd] + 1))
  degraded_want[$egd]=$((degraded_want[$egd] + 1))
  restored_want[$egd]=$((restored_want[$egd] + 1))
  wait_for "$what: one more Degraded and Restored event" 15 events_are "$egd"
  [[ $(event_notes EgressDegraded "$egd" | tail -1) == *"($reason)"*"$check"* ]] ||
    fail "Degraded note: $(event_notes EgressDegraded "$egd" | tail -1)"
  [[ $(event_notes EgressRestored "$egd" | tail -1) == "Egress restored after "*"s (was $reason)" ]] ||
    fail "Restored note: $(event_notes EgressRestored "$egd" | tail -1)"
  echo "    ok in $((SECONDS - t0)) s: outage $start .. $end"
}

fault aks AKS-SGC-STATUS SGCStatusIncomplete "SGC egress-demo without publicKey" \
  "patch_status staticgatewayconfiguration -n default egress-demo -p '{\"status\":{\"gatewayServerProfile\":{\"publicKey\":null}}}'" \
  "patch_status staticgatewayconfiguration -n default egress-demo -p '{\"status\":{\"gatewayServerProfile\":{\"publicKey\":\"w6KB2SoJb7Mkvuu7XEY1NrTr4uXm8EnsEbYlpa+asHM=\"}}}'"
fault aks AKS-GWSTATUS GatewayConfigurationNotReady "GatewayStatus $gw missing the SGC" \
  "k patch gatewaystatus -n kube-egress-gateway-system $gw --type=merge -p '{\"spec\":{\"readyGatewayConfigurations\":[]}}' >/dev/null" \
  "k patch gatewaystatus -n kube-egress-gateway-system $gw --type=merge -p '{\"spec\":{\"readyGatewayConfigurations\":[{\"staticGatewayConfiguration\":\"default/egress-demo\",\"interfaceName\":\"wg-6000\"}]}}' >/dev/null"
podendpoint=$(k get podendpoint -n default egress-client -o json |
  jq -c '{apiVersion, kind, metadata: {name: .metadata.name, namespace: .metadata.namespace}, spec}')
fault aks AKS-PODENDPOINT PodEndpointMissing "annotated pod egress-client without PodEndpoint" \
  "k delete podendpoint -n default egress-client >/dev/null" \
  'k create -f - <<<"$podendpoint" >/dev/null'
fault aks CMP-AKS-CNIMGR CNINotReadyTaint "node $worker tainted cni-not-ready" \
  "k patch node $worker --type=merge -p '{\"spec\":{\"taints\":[{\"key\":\"egressgateway.kubernetes.azure.com/cni-not-ready\",\"value\":\"true\",\"effect\":\"NoSchedule\"}]}}' >/dev/null" \
  "k patch node $worker --type=merge -p '{\"spec\":{\"taints\":null}}' >/dev/null"

step "Azure objects removed (the spidernet checks want an EgressTunnel on every node)"
k delete staticgatewayconfiguration egress-demo -n default >/dev/null
sleep 1  # auto mode must not cover the SGC again in between
k delete egd aks -n default >/dev/null
k delete node "$gw" "$worker" >/dev/null

step "spidernet and Calico CRDs installed while running; auto mode covers policy default/test"
k apply -k "$root/tests/fixtures/crds/" >/dev/null
k wait --for=condition=Established crd --all --timeout=60s >/dev/null
wait_for "watching EgressPolicy" 30 grep -q '"msg":"watching optional kind","kind":"EgressPolicy"' "$state/op.log"
seed_spidernet
for n in node1 node2; do probe "$n" 3600 EgressPolicy/default/test; done
wait_for "auto-egp-test" 30 k get egd auto-egp-test -n default
owner=$(k get egd auto-egp-test -n default \
  -o jsonpath='{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}/{.metadata.ownerReferences[0].uid}')
[[ $owner == "EgressPolicy/test/$(k get egresspolicy test -n default -o jsonpath='{.metadata.uid}')" ]] ||
  fail "owner of auto-egp-test: $owner"
wait_for "Healthy=True (auto-egp-test)" 60 cond_is auto-egp-test Healthy True
echo "    setup done after $((SECONDS - started)) s"


spn=auto-egp-test
fault $spn SPN-TUNNELS TunnelNotReady "EgressTunnel node1 phase HeartbeatTimeout" \
  "patch_status egresstunnel node1 -p '{\"status\":{\"phase\":\"HeartbeatTimeout\"}}'" \
  "patch_status egresstunnel node1 -p '{\"status\":{\"phase\":\"Ready\"}}'"
fault $spn SPN-TUNNELS TunnelMarkInvalid "EgressTunnel node2 mark 0x26000000 (no node bits)" \
  "patch_status egresstunnel node2 -p '{\"status\":{\"mark\":\"0x26000000\"}}'" \
  "patch_status egresstunnel node2 -p '{\"status\":{\"mark\":\"0x26b7b4e4\"}}'"
fault $spn SPN-POLICY-STATUS PolicyEIPUnassigned "EgressPolicy default/test without EIP" \
  "patch_status egresspolicy -n default test -p '{\"status\":{\"eip\":null}}'" \
  "patch_status egresspolicy -n default test -p '{\"status\":{\"eip\":{\"ipv4\":\"172.16.25.189\"}}}'"
gateway_nodes() { # gateway_nodes NODE2_STATUS
  echo "{\"status\":{\"nodeList\":[{\"name\":\"node1\",\"status\":\"Ready\"},{\"name\":\"node2\",\"status\":\"$1\",\"eips\":[{\"ipv4\":\"172.16.25.189\",\"policies\":[{\"name\":\"test\",\"namespace\":\"default\"}]}]}]}}"
}
fault $spn SPN-GATEWAY GatewayNodeNotReady "EgressGateway default lists node2 NodeNotReady" \
  'patch_status egressgateway default -p "$(gateway_nodes NodeNotReady)"' \
  'patch_status egressgateway default -p "$(gateway_nodes Ready)"'
fault $spn SPN-ENDPOINTS EndpointMissing "EgressEndpointSlice lacks the selected pod visitor-2" \
  "k patch egressendpointslice -n default test-abcde --type=json -p '[{\"op\":\"remove\",\"path\":\"/endpoints/1\"}]' >/dev/null" \
  "k patch egressendpointslice -n default test-abcde --type=json -p '[{\"op\":\"add\",\"path\":\"/endpoints/-\",\"value\":{\"ns\":\"default\",\"pod\":\"visitor-2\",\"ipv4\":[\"10.244.1.11\"],\"node\":\"node2\"}}]' >/dev/null"
fault $spn CMP-SPN-AGENT DaemonSetNotReady "agent DaemonSet 1 of 2 ready" \
  "patch_status ds -n kube-system egressgateway-agent -p '{\"status\":{\"numberReady\":1,\"numberAvailable\":1}}'" \
  "ds_ready kube-system egressgateway-agent 2"
fault $spn INT-CALICO-INSERT CalicoChainInsertMode "FelixConfiguration chainInsertMode Insert" \
  "k patch felixconfiguration default --type=merge -p '{\"spec\":{\"chainInsertMode\":\"Insert\"}}' >/dev/null" \
  "k patch felixconfiguration default --type=merge -p '{\"spec\":{\"chainInsertMode\":\"Append\"}}' >/dev/null"

# Time-based: with gatewayFailover on, heartbeats renewed continuously keep SPN-TUNNELS passing
# for longer than eipEvictionTimeout (8 s here: a renewal round of kubectl calls can take a few
# seconds on a loaded machine); once they stop, the diagnosis turns False by itself when the
# last one is older than that, although no object changes then (renewals are not routed).
eviction=8
spn_conf() { # spn_conf true|false: conf.yml with gatewayFailover.enable set
  printf 'gatewayFailover:\n  eipEvictionTimeout: %s\n  enable: %s\n  tunnelMonitorPeriod: 1\n  tunnelUpdatePeriod: 1\nvxlan:\n  id: 100\n' "$eviction" "$1"
}
failover() { # failover true|false
  k patch configmap -n kube-system egressgateway --type=merge \
    -p "$(jq -n --arg c "$(spn_conf "$1")" '{data: {"conf.yml": $c}}')" >/dev/null
}
heartbeat() { # both tunnels' status.lastHeartbeatTime = now, as the agents do -> last_beat
  local now; now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  last_beat=$(date -d "$now" +%s)
  for n in node1 node2; do
    patch_status egresstunnel "$n" -p "{\"status\":{\"lastHeartbeatTime\":\"$now\"}}"
  done
}
renew_then_stop() {
  heartbeat
  failover true
  local until=$((SECONDS + eviction + 4))
  while ((SECONDS < until)); do
    sleep 0.5
    heartbeat
    cond_is $spn Healthy True ||
      fail "Healthy $(cond $spn Healthy status) ($(cond $spn Healthy reason)) while heartbeats were renewed"
  done
}
fault $spn SPN-TUNNELS TunnelHeartbeatStale "gatewayFailover on, tunnel heartbeats stop" \
  "renew_then_stop" "failover false"
beat_start=$(outage_field $spn $(($(outage_count $spn) - 1)) start)
(($(date -d "$beat_start" +%s) - last_beat >= eviction - 1)) ||
  fail "turned False at $beat_start, less than eipEvictionTimeout after the last heartbeat ($(date -u -d @"$last_beat" +%T))"
echo "    last heartbeat $(date -u -d @"$last_beat" +%T), outage from $beat_start"

step "no stray events: exactly one Degraded and one Restored per fault and diagnosis"
sleep 2
for egd in "${!faults_of[@]}"; do
  events_are "$egd" ||
    fail "$egd: $(events_of EgressDegraded "$egd") Degraded, $(events_of EgressRestored "$egd") Restored, want ${degraded_want[$egd]}"
done
[[ ${faults_of[auto-egp-test]} == 8 && ${faults_of[aks]} == 4 ]] || fail "fault count"
echo "PASS in $((SECONDS - started)) s"

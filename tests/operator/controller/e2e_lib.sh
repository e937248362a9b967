# Helpers shared by the operator's end-to-end scripts (sourced, not run). The caller sets
# `operator` (binary) and `root` (repo) first. Starts a private control plane (no
# controller-manager: the scripts write DaemonSet/Deployment/Pod status themselves), and stops it
# and every operator it started on exit.
state=$(mktemp -d /tmp/egressdiag-op-e2e.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$root/hack/testenv/down.sh" --state-dir "$state/plane" >/dev/null 2>&1 || true
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for log in "$state"/*.log; do
    [[ -f $log ]] && { echo "--- tail of $log" >&2; tail -20 "$log" >&2; }
  done
  exit 1
}
step() { echo "--- $*"; }

"$root/hack/testenv/up.sh" --state-dir "$state/plane" >/dev/null
# shellcheck disable=SC1091
source "$state/plane/env"
export KUBECONFIG
k() { "$KUBECTL" "$@"; }

# wait_for DESCRIPTION SECONDS COMMAND...: polls until COMMAND succeeds.
wait_for() {
  local what=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "timed out waiting for $what"
    sleep 0.2
  done
}
cond() { # cond NAME TYPE FIELD -> .status.conditions[type].FIELD of default/NAME
  k get egd "$1" -n default -o jsonpath="{.status.conditions[?(@.type==\"$2\")].$3}"
}
cond_is() { [[ $(cond "$1" "$2" status) == "$3" ]]; }
port_of() { # port_of LOGFILE MESSAGE
  sed -n "s/.*\"msg\":\"$2\".*\"port\":\"\([0-9]*\)\".*/\1/p" "$1" | head -1
}
start_operator() { # start_operator NAME [FLAG...] -> pid in pids, log in $state/NAME.log
  local name=$1; shift
  "$operator" --kubeconfig "$KUBECONFIG" --namespace egressdiag-system \
    --metrics-bind-address 127.0.0.1:0 --health-probe-bind-address 127.0.0.1:0 \
    --leader-elect --identity "$name" --discovery-interval 1 --log-level debug "$@" \
    >"$state/$name.log" 2>&1 &
  pids+=($!)
}
metric() { # metric PORT NAME -> value
  curl -sf "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 == n {print $2}'
}
now() { date -u +%Y-%m-%dT%H:%M:%S.000000Z; }
patch_status() { k patch "$@" --subresource=status --type=merge >/dev/null; }
renew_leases() {
  local t; t=$(now)
  for node in "$@"; do
    k patch lease -n egressdiag-system "egressdiag-probe-$node" --type=merge \
      -p "{\"spec\":{\"renewTime\":\"$t\"}}" >/dev/null
  done
}
events_of() { # events_of REASON [NAME] -> count of events with that reason about default/NAME
  k get events.events.k8s.io -n default -o json |
    jq --arg r "$1" --arg n "${2:-test}" \
      '[.items[] | select(.reason == $r and .regarding.name == $n)] | length'
}
# probe NODE LEASE_SECONDS TARGET...: the probe's Lease and a report with no finding for each
# TARGET ("Kind/ns/name"), as a probe on NODE would write them.
probe() {
  local node=$1 seconds=$2; shift 2
  local targets="" t
  for t in "$@"; do targets+="${targets:+,}{\"target\":\"$t\",\"findings\":[]}"; done
  k apply -f - >/dev/null <<YAML
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: egressdiag-probe-$node, namespace: egressdiag-system}
spec: {holderIdentity: $node, leaseDurationSeconds: $seconds, renewTime: "$(now)"}
---
apiVersion: egressdiag.io/v1alpha1
kind: EgressNodeReport
metadata: {name: $node}
spec: {}
YAML
  patch_status egressnodereport "$node" -p \
    "{\"status\":{\"probeVersion\":\"0.1.0\",\"lastProbeTime\":\"$(date -u +%FT%TZ)\",\"targets\":[$targets]}}"
}
node_ready() { # node_ready NODE IP
  patch_status node "$1" -p "{\"status\":{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"$2\"}],\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"KubeletReady\",\"message\":\"test\",\"lastHeartbeatTime\":\"$(date -u +%FT%TZ)\",\"lastTransitionTime\":\"$(date -u +%FT%TZ)\"}]}}"
}
ds_ready() { # ds_ready NAMESPACE NAME COUNT
  patch_status ds -n "$1" "$2" -p "{\"status\":{\"desiredNumberScheduled\":$3,\"currentNumberScheduled\":$3,\"numberReady\":$3,\"numberAvailable\":$3,\"updatedNumberScheduled\":$3,\"numberMisscheduled\":0}}"
}
deploy_available() { # deploy_available NAMESPACE NAME
  patch_status deploy -n "$1" "$2" -p '{"status":{"replicas":1,"readyReplicas":1,"availableReplicas":1,"conditions":[{"type":"Available","status":"True","reason":"MinimumReplicasAvailable","message":"test"}]}}'
}
pod_running() { # pod_running NAMESPACE NAME IP
  patch_status pod -n "$1" "$2" -p "{\"status\":{\"phase\":\"Running\",\"podIP\":\"$3\",\"podIPs\":[{\"ip\":\"$3\"}]}}"
}
install_our_crds() {
  k apply -f "$root/crds/egressdiag.io_egressdiagnoses.yaml" \
    -f "$root/crds/egressdiag.io_egressnodereports.yaml" >/dev/null
  k wait --for=condition=Established crd --all --timeout=60s >/dev/null
  k create namespace egressdiag-system >/dev/null
}
# seed_spidernet: the spidernet seed objects (testdata/spidernet-seed.yaml) with healthy statuses.
seed_spidernet() {
  k apply -f "$root/tests/operator/controller/testdata/spidernet-seed.yaml" >/dev/null
  for n in 1 2; do node_ready "node$n" "10.6.1.2$n"; done
  ds_ready kube-system egressgateway-agent 2
  deploy_available kube-system egressgateway-controller
  pod_running default visitor-1 10.244.0.10
  pod_running default visitor-2 10.244.1.11
  patch_status egressgateway default -p '{"status":{"nodeList":[{"name":"node1","status":"Ready"},{"name":"node2","status":"Ready","eips":[{"ipv4":"172.16.25.189","policies":[{"name":"test","namespace":"default"}]}]}]}}'
  patch_status egresspolicy -n default test -p '{"status":{"eip":{"ipv4":"172.16.25.189"},"node":"node2"}}'
  patch_status egresstunnel node1 -p '{"status":{"tunnel":{"ipv4":"192.200.142.89","mac":"66:c5:d6:cc:29:54","parent":{"name":"ens160","ipv4":"10.6.1.21"}},"phase":"Ready","mark":"0x2698ee37"}}'
  patch_status egresstunnel node2 -p '{"status":{"tunnel":{"ipv4":"192.200.201.40","mac":"66:66:41:3e:23:6b","parent":{"name":"ens160","ipv4":"10.6.1.22"}},"phase":"Ready","mark":"0x26b7b4e4"}}'
}

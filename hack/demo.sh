#!/usr/bin/env bash
# egressdiag in two minutes (docs/demo.md): bootstrap, build, the spidernet and Azure datapath
# labs, each with a real control plane (one cluster per project), the operator and one probe per
# lab node; diagnoses from config/samples turn healthy; a fault breaks egress, the diagnosis
# names check, node and evidence, and the time it took; repair, recovery, teardown.
#
#   ./hack/demo.sh [--keep] [--labs spidernet,azure] [--fault NAME] [--build-dir DIR]
#                  [--no-bootstrap] [--no-build]
#
#   --keep          leave everything running and print the KUBECONFIG to explore with
#   --fault NAME    the fault to inject (hack/lab/fault.sh --list); default spn-ip-rule-missing
#                   (aks-ilb-ip-missing when the spidernet lab is not in --labs)
#   --build-dir     where to build (default $EGRESSDIAG_BUILD_DIR, else ./build)
#   --no-build      use the binaries already in the build dir
# Needs root (the labs are network namespaces). Timeouts: $EGRESSDIAG_DEMO_TIMEOUT (default 120 s).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

keep=0 labs=spidernet,azure fault="" bootstrap=1 build=1
build_dir=${EGRESSDIAG_BUILD_DIR:-$root/build}
timeout=${EGRESSDIAG_DEMO_TIMEOUT:-120}
while (($#)); do
  case $1 in
    --keep) keep=1; shift ;;
    --labs) labs=$2; shift 2 ;;
    --fault) fault=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --no-bootstrap) bootstrap=0; shift ;;
    --no-build) build=0; shift ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "demo: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [[ -z $fault ]]; then
  fault=aks-ilb-ip-missing
  [[ ,$labs, != *,spidernet,* ]] || fault=spn-ip-rule-missing
fi
((EUID == 0)) || { echo "demo: must run as root (the labs are network namespaces)" >&2; exit 1; }

if [[ -t 1 ]]; then
  B=$'\e[1m' D=$'\e[2m' R=$'\e[31m' G=$'\e[32m' Y=$'\e[33m' C=$'\e[36m' N=$'\e[0m'
else
  B="" D="" R="" G="" Y="" C="" N=""
fi
step_no=0
step() {
  step_no=$((step_no + 1))
  printf '\n%s[%d] %s%s\n' "$B$C" "$step_no" "$*" "$N"
}
say() { printf '    %s\n' "$*"; }
note() { printf '    %s%s%s\n' "$D" "$*" "$N"; }
ok() { printf '    %s%s%s\n' "$G" "$*" "$N"; }
bad() { printf '    %s%s%s\n' "$R" "$*" "$N"; }
show() { # show CMD...: print the command, then its output indented
  printf '    %s$ %s%s\n' "$Y" "$*" "$N"
  "$@" 2>&1 | sed 's/^/    /'
}
die() {
  bad "demo: $*"
  exit 1
}
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

cluster=$root/hack/lab/cluster.sh
t_demo=$EPOCHREALTIME
# One cluster (control plane) per lab, as in real life: spidernet's controller gives every
# Node a tunnel, so nodes of an Azure cluster would look broken to it, and the other way round.
state_base=${EGRESSDIAG_CLUSTER_DIR:-/run/egressdiag-cluster}
started=()
# use_cluster FLAVOUR: point cluster.sh, kubectl and the API helpers at that lab's cluster.
use_cluster() {
  export EGRESSDIAG_CLUSTER_DIR=$state_base/$1
  eval "$("$cluster" env | sed 's/^/export /')"
  eval "$(grep -E '^TESTENV_(SERVER|CA|ADMIN_CERT|ADMIN_KEY)=' "$EGRESSDIAG_TESTENV_DIR/env")"
}
finish() {
  local rc=$? f
  if ((${#started[@]})); then
    if ((keep)); then
      step "left running (--keep)"
      for f in "${started[@]}"; do
        say "${B}$f cluster${N}"
        say "export KUBECONFIG=$state_base/$f/testenv/admin.kubeconfig"
        say "EGRESSDIAG_CLUSTER_DIR=$state_base/$f hack/lab/cluster.sh status   # ports, pids, logs"
      done
      say "alias kubectl=$KUBECTL   # a kubectl matching the control planes"
      say "kubectl get egressdiagnosis -A     # or: kubectl get egd -A -o wide"
      say "kubectl get egressnodereports      # one per node, written by its probe"
      say "hack/lab/fault.sh --list; hack/lab/fault.sh NAME; hack/lab/repair.sh"
      say "EGRESSDIAG_CLUSTER_DIR=$state_base/<lab> hack/lab/cluster.sh down   # when done"
    else
      step "teardown (hack/lab/cluster.sh down)"
      local t=$EPOCHREALTIME
      for f in "${started[@]}"; do
        EGRESSDIAG_CLUSTER_DIR=$state_base/$f "$cluster" down 2>/dev/null ||
          bad "cluster.sh down ($f) failed; run it again"
      done
      ok "everything stopped in $(elapsed "$t") s"
    fi
  fi
  if ((rc == 0)); then
    printf '\n%sdemo finished in %s s%s\n' "$B$G" "$(elapsed "$t_demo")" "$N"
  else
    printf '\n%sdemo failed (exit %d) after %s s%s\n' "$B$R" "$rc" "$(elapsed "$t_demo")" "$N"
  fi
}
trap finish EXIT
trap 'exit 130' INT TERM

printf '%s\n' "${B}egressdiag${N} continuously checks that Kubernetes egress gateways work and," \
  "when they do not, says which layer broke, on which node, with the evidence. This demo" \
  "runs it on a real kube-apiserver and real kernel datapaths in network namespaces."

if ((bootstrap)); then
  step "bootstrap: packages this machine lacks (hack/bootstrap.sh)"
  t=$EPOCHREALTIME
  ./hack/bootstrap.sh 2>&1 | sed 's/^/    /'
  ok "done in $(elapsed "$t") s"
fi

if ((build)); then
  step "build egressdiag-operator and egressdiag-probe into $build_dir"
  t=$EPOCHREALTIME
  log=$(mktemp /tmp/egressdiag-demo-build.XXXXXX)
  note "control plane binaries: hack/testenv/build.sh (cached after the first run)"
  if ! ./hack/testenv/build.sh >"$log" 2>&1; then
    tail -n 20 "$log" | sed 's/^/    /'
    die "hack/testenv/build.sh failed (log: $log)"
  fi
  note "cmake + ninja, -j2 (first build takes a while; later runs are incremental)"
  if ! {
    { [[ -f $build_dir/build.ninja ]] || cmake -S "$root" -B "$build_dir" -G Ninja; } &&
      cmake --build "$build_dir" --target egressdiag-operator egressdiag-probe -j2
  } >>"$log" 2>&1; then
    tail -n 20 "$log" | sed 's/^/    /'
    die "build failed (log: $log)"
  fi
  rm -f "$log"
  ok "built in $(elapsed "$t") s"
fi

port_base=29700
for f in ${labs//,/ }; do
  step "a $f cluster: control plane, lab, operator and one probe per node (hack/lab/cluster.sh up)"
  note "kube-apiserver + etcd on loopback; each component runs with a token of its own"
  note "ServiceAccount, bound only by config/rbac (probe tokens are bound to their Node)"
  t=$EPOCHREALTIME
  # Always a control plane of its own (never a test's, even if the environment names one).
  unset EGRESSDIAG_TESTENV_DIR
  # A failed `up` cleans up after itself; a cluster that was already up is not ours to stop.
  set +e
  EGRESSDIAG_CLUSTER_DIR=$state_base/$f EGRESSDIAG_CLUSTER_PORT_BASE=$port_base \
    "$cluster" up --labs "$f" --build-dir "$build_dir" --samples 2>&1 |
    grep -v '^lab: \|^testenv/up: ' | sed 's/^/    /'
  rc=${PIPESTATUS[0]}
  set -e
  ((rc == 0)) || die "cluster.sh up ($f) failed"
  started+=("$f")
  port_base=$((port_base + 300))
  ok "up in $(elapsed "$t") s"
done
# Direct API reads with the admin certificate (use_cluster), for polling and timing watches.
api() {
  curl -fsS --max-time 2 --cacert "$TESTENV_CA" --cert "$TESTENV_ADMIN_CERT" \
    --key "$TESTENV_ADMIN_KEY" "$TESTENV_SERVER$1"
}
kubectl() { "$KUBECTL" "$@"; }

# healthy_of NS/NAME -> status of the Healthy condition (True|False|Unknown|"")
healthy_of() {
  api "/apis/egressdiag.io/v1alpha1/namespaces/${1%%/*}/egressdiagnoses/${1#*/}" 2>/dev/null |
    jq -r '[.status.conditions[]? | select(.type == "Healthy") | .status][0] // ""'
}
# first_event COLLECTION_URL NAME JQ_FILTER READY_FILE: watches one object and prints the time
# the first event matching JQ_FILTER arrived (fails if none did within the timeout). A watch
# without resourceVersion starts with the object's current state (ADDED): READY_FILE is created
# then, so the caller knows the watch is live before changing anything.
first_event() {
  local line
  while read -r line; do
    if [[ ! -e $4 ]]; then
      : >"$4"
      continue
    fi
    if jq -e "$3" >/dev/null 2>&1 <<<"$line"; then
      echo "$EPOCHREALTIME"
      return 0
    fi
  done < <(curl -sN --max-time "$timeout" --cacert "$TESTENV_CA" --cert "$TESTENV_ADMIN_CERT" \
    --key "$TESTENV_ADMIN_KEY" "$TESTENV_SERVER$1?watch=1&fieldSelector=metadata.name%3D$2")
  return 1
}
all_diagnoses() {
  api /apis/egressdiag.io/v1alpha1/egressdiagnoses |
    jq -r '.items[] | .metadata.namespace + "/" + .metadata.name'
}
# wait_all STATUS: every diagnosis' Healthy condition has STATUS (timeout: the demo fails).
wait_all() {
  local deadline=$((SECONDS + timeout)) d pending
  while :; do
    pending=""
    for d in $(all_diagnoses); do
      [[ $(healthy_of "$d") == "$1" ]] || pending+=" $d"
    done
    [[ -n $pending ]] || return 0
    if ((SECONDS >= deadline)); then
      show kubectl get egressdiagnosis -A -o wide
      die "not Healthy=$1 after $timeout s:$pending"
    fi
    sleep 0.5
  done
}

summary='{.metadata.namespace}/{.metadata.name} -> {.spec.targetRef.kind} '
summary+='{.spec.targetRef.name}, echo server {.spec.probe.url}'
for c in "${started[@]}"; do
  use_cluster "$c"
  step "$c cluster: the diagnosis from config/samples, one per egress policy / gateway config"
  for f in "$EGRESSDIAG_CLUSTER_DIR"/samples/*.yaml; do
    say "$(kubectl get -f "$f" -o jsonpath="$summary")"
  done
  if [[ $c == azure ]]; then
    note "the Azure sample names SGC egress-demo and a placeholder echo URL; the applied copy"
    note "targets the lab's SGC and echo server"
  fi
  t=$EPOCHREALTIME
  say "waiting for the first full evaluation of every node ..."
  wait_all True
  ok "all healthy (waited $(elapsed "$t") s)"
  show kubectl get egressdiagnosis -A
  show kubectl get egressnodereports
done
note "TARGET     the egress policy (spidernet) or StaticGatewayConfiguration (Azure) checked"
note "EGRESS-IP  the address egress must leave with; GATEWAY: the node that carries it"
note "HEALTHY    the verdict over every layer: components, control plane, node datapath"
note "           (iptables, ipsets, rules, routes, vxlan, WireGuard), tunnel, end to end"
note "           (the echo server sees the egress IP); never True before real results"
note "NODES      nodes whose probe reports / nodes that matter for this target"
note "node reports: one per node, written only by that node's probe (its token is bound to the"
note "node): checks failing or unknown there; the operator joins them into the diagnoses"

fault_flavour=$(hack/lab/fault.sh --list | awk -v n="$fault" '$1 == n { print $2 }')
[[ -n $fault_flavour ]] || die "unknown fault '$fault' (hack/lab/fault.sh --list)"
[[ ,$labs, == *,$fault_flavour,* ]] || die "fault $fault needs the $fault_flavour lab"
use_cluster "$fault_flavour"
lab_json=/run/egressdiag-lab/$fault_flavour/lab.json
fault_node=$(jq -r --arg f "$fault" '.faults[] | select(.name == $f) | .nodes[0]' "$lab_json")
fault_change=$(jq -r --arg f "$fault" '.faults[] | select(.name == $f) | .change' "$lab_json")
fault_effect=$(jq -r --arg f "$fault" '.faults[] | select(.name == $f) | .effect' "$lab_json")
fault_check=$(jq -r --arg f "$fault" '.faults[] | select(.name == $f) | .check // ""' "$lab_json")
target=$(kubectl get -f "$EGRESSDIAG_CLUSTER_DIR/samples/$fault_flavour.yaml" \
  -o jsonpath='{.metadata.namespace}/{.metadata.name}')

step "break it: $fault on $fault_node (hack/lab/fault.sh $fault)"
say "change: $fault_change"
say "effect: $fault_effect"
# Timed with watches opened before the fault: each records when its first matching event
# arrives, so polling gaps add nothing (the report and the condition can change within 0.1 s).
ns=${target%%/*} name=${target#*/}
egd_url=/apis/egressdiag.io/v1alpha1/namespaces/$ns/egressdiagnoses
report_url=/apis/egressdiag.io/v1alpha1/egressnodereports
tmp=$(mktemp -d /tmp/egressdiag-demo.XXXXXX)
first_event "$report_url" "$fault_node" '.type == "MODIFIED"' "$tmp/report.ready" \
  >"$tmp/report" &
watch_report=$!
first_event "$egd_url" "$name" '.type == "MODIFIED" and
  ([.object.status.conditions[]? | select(.type == "Healthy") | .status][0] == "False")' \
  "$tmp/flip.ready" >"$tmp/flip" &
watch_flip=$!
for _ in $(seq 1 200); do
  [[ -e $tmp/report.ready && -e $tmp/flip.ready ]] && break
  sleep 0.05
done
t_fault=$EPOCHREALTIME
out=$(hack/lab/fault.sh "$fault" 2>&1) || die "fault.sh $fault failed: $out"
if ! wait "$watch_flip"; then
  show kubectl get egressdiagnosis -A -o wide
  die "$target did not turn Healthy=False within $timeout s"
fi
t_flip=$(cat "$tmp/flip")
# The report changes before the condition can; give its watch a moment, never the timeout.
for _ in $(seq 1 40); do
  kill -0 "$watch_report" 2>/dev/null || break
  sleep 0.05
done
kill "$watch_report" 2>/dev/null || true
t_report=""
if wait "$watch_report" 2>/dev/null; then t_report=$(cat "$tmp/report"); fi
rm -rf "$tmp"
detect=$(awk -v a="$t_fault" -v b="$t_flip" 'BEGIN { printf "%.2f", b - a }')
report=""
[[ -z $t_report ]] ||
  report=" (node report of $fault_node changed after $(awk -v a="$t_fault" -v b="$t_report" \
    'BEGIN { printf "%.2f", b - a }') s)"
printf '    %sdetected: %s Healthy=False %s s after the fault%s\n' "$B$R" "$target" "$detect" "$N"
[[ -z $report ]] || note "${report# }"
# The check that owns this fault (lab.json) must be among the failing ones, on the right node;
# an end-to-end failure alone would mean egressdiag saw the outage but not its cause.
named=0
for _ in $(seq 1 40); do
  if api "$egd_url/$name" | jq -e --arg c "$fault_check" --arg n "$fault_node" \
    '(.status.failingChecks // []) | any(.check == $c and .node == $n)' >/dev/null; then
    named=1
    break
  fi
  sleep 0.05
done
if ((named)); then
  ok "the cause is named: $fault_check on $fault_node"
else
  bad "expected $fault_check on $fault_node among the failing checks; egressdiag names:"
  api "$egd_url/$name" | jq -r '(.status.failingChecks // [])[] | "      \(.check) on \(.node)"'
fi
show kubectl get egressdiagnosis -A -o wide
say "${Y}\$ kubectl describe egressdiagnosis -n ${target%%/*} ${target#*/}${N}  (status excerpt)"
kubectl describe egressdiagnosis -n "${target%%/*}" "${target#*/}" |
  awk '/^  Failing Checks:/ { p = 1 } /^  Observed Generation:/ { next } p' |
  sed 's/^/    /'
say "${Y}\$ kubectl get egressnodereport $fault_node -o yaml${N}  (failing findings: evidence, fix)"
kubectl get egressnodereport "$fault_node" -o json | jq -r '
  .status.targets[]?.findings[]? | select(.status == "Fail") |
  "\(.check) on \(.node): \(.message)"
    + (if (.target // "") != "" then "  [\(.target)]" else "" end),
  (.evidence[]? | "    evidence: " + .),
  "    fix: \(.remediation // "-")"' | sed 's/^/    /'
note "the evidence is what the probe read from the node's kernel; every check ID has a runbook"
note "entry (what it checks, why it breaks egress, how to fix it) in docs/checks.md"

step "repair (hack/lab/repair.sh $fault_flavour)"
t=$EPOCHREALTIME
hack/lab/repair.sh "$fault_flavour" >/dev/null 2>&1
note "datapath restored in $(elapsed "$t") s; waiting for the diagnosis ..."
deadline=$((SECONDS + timeout))
until [[ $(healthy_of "$target") == True ]]; do
  ((SECONDS < deadline)) || die "$target did not recover within $timeout s"
  sleep 0.1
done
recover=$(elapsed "$t")
ok "recovered: $target Healthy=True $recover s after the repair started"
wait_all True
show kubectl get egressdiagnosis -A
api "/apis/egressdiag.io/v1alpha1/namespaces/${target%%/*}/egressdiagnoses/${target#*/}" |
  jq -r '.status.outages[-1]? |
    "outage recorded in status.outages: \(.start) -> \(.end // "open") (\(.reason))"' |
  sed 's/^/    /'
note "and as Events: EgressDegraded when it broke, EgressRestored with its duration"

printf '\n%ssummary:%s %s on %s detected in %s s%s;\n' "$B" "$N" "$fault" "$fault_node" \
  "$detect" "$report"
printf '         healthy again %s s after the repair.\n' "$recover"
((named)) || die "the diagnosis did not name $fault_check on $fault_node (see above)"

#!/usr/bin/env bash
# Lab tests with real packets (run as root; registered in tests/lab/CMakeLists.txt).
#
#   lab_test.sh selftest                  egw hashes / MACs / ipset names vs the seed values
#   lab_test.sh up FLAVOUR [--legacy]     bring a lab up (timed) and check it is healthy
#   lab_test.sh fault NAME                inject, check the effect, repair, check healthy again
#   lab_test.sh rerun FLAVOUR             up twice and after a simulated crash: one clean lab
#   lab_test.sh down FLAVOUR              tear down (timed) and check nothing is left
#   lab_test.sh legacy                    azure --legacy: up, healthy, a few faults, down
#   lab_test.sh apply FLAVOUR             apply.sh into $EGRESSDIAG_TESTENV_DIR; objects stored
#   lab_test.sh both                      both labs at once, then down one at a time
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
lab=$repo/hack/lab
source "$lab/lib.sh"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
pass() { echo "ok: $*"; }
# True once PID has exited: gone from /proc, or a zombie its new parent has not reaped yet.
# Waits up to 2 s, since a killed process takes a moment to finish exiting.
gone() {
  local state
  for _ in $(seq 20); do
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)
    [[ -z $state || $state == Z ]] && return 0
    sleep 0.1
  done
  return 1
}
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.2f", b-a}'; }

# probe POD TAG [SECONDS]: one request from the pod's netns; prints the body (empty on timeout).
probe() {
  lab_curl "$(lab_pvar "$1" NETNS)" "${LAB_ECHO_URL}$2" "${3:-4}" 2>/dev/null || true
}

# seen TAG: source IPs the echo server logged for requests with path /TAG.
seen() { awk -v p="/$1" '$3 == p {print $2}' "$LAB_ECHO_LOG" | sort -u | tr '\n' ' '; }

tag() { local l=${1%% *}; echo "t-${l//[^a-zA-Z0-9-]/}-$RANDOM$RANDOM"; }

expect_source() { # POD IP LABEL
  local t got
  t=$(tag "$3")
  got=$(probe "$1" "$t")
  [[ $got == "$2" ]] || fail "$3: $1 expected source $2, echo answered '${got}' (seen: $(seen "$t"))"
  pass "$3: $1 leaves as $2"
}

# syn_count IP: TCP SYNs from IP that reached the destination's echo port (accounting rule in
# the destination netns, added by expect_timeout around one probe).
syn_rule() {
  nsx "$LAB_ECHO_NETNS" iptables "$1" INPUT -s "$2" -p tcp --syn --dport "$LAB_ECHO_PORT" \
    -m comment --comment lab-test-count
}
syn_count() {
  nsx "$LAB_ECHO_NETNS" iptables -nvxL INPUT | awk -v ip="$1" '/lab-test-count/ && index($0, " " ip " ") {print $1}'
}

expect_timeout() { # POD LABEL [IP_THE_DESTINATION_MUST_SEE]
  local t got n
  t=$(tag "$2")
  [[ -z ${3:-} ]] || syn_rule -I "$3"
  got=$(probe "$1" "$t" 2)
  if [[ -n ${3:-} ]]; then
    n=$(syn_count "$3")
    syn_rule -D "$3"
  fi
  [[ -z $got ]] || fail "$2: $1 expected a timeout, echo answered '$got'"
  if [[ -n ${3:-} ]]; then
    ((n > 0)) || fail "$2: the destination received no SYN from $3"
    pass "$2: $1 times out; the destination received $n SYN(s) from $3"
  else
    [[ -z $(seen "$t") ]] || fail "$2: destination unexpectedly saw '$(seen "$t")'"
    pass "$2: $1 times out; nothing reached the echo server"
  fi
}

healthy() { # FLAVOUR
  lab_load "$1"
  local p
  for p in $LAB_PODS; do
    expect_source "$p" "$(lab_pvar "$p" EXPECTEDEGRESSIP)" "healthy"
  done
  if [[ $1 == azure ]]; then
    [[ $(health_code) == 200 ]] || fail "health /gw/<uid> is $(health_code), want 200"
    [[ $(health_code bogus-uid) == 503 ]] || fail "health of an unknown uid is not 503"
    pass "healthy: LB probe 200 for the SGC uid, 503 for an unknown one"
    ingress_ok || fail "healthy: inbound connection to client-0 failed"
    pass "healthy: inbound connection to client-0 answered via eth0"
  fi
}

health_code() {
  nsx "$(lab_nvar aks-worker-0 NETNS)" curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
    "http://$(lab_nvar "$LAB_GW_NODE" IP):$LAB_HEALTH_PORT/gw/${1:-$LAB_SGC_UID}" || true
}

ingress_ok() {
  [[ $(lab_curl "$LAB_ECHO_NETNS" "http://$(lab_pvar "$LAB_POD" IP):$LAB_ECHO_PORT/" 3 \
    2>/dev/null) == "$LAB_ROUTER_IP" ]]
}

# root_state: what the lab must never change in the root network namespace.
root_state() {
  ip -o link show | awk '{print $2}'
  ip -o addr show | awk '{$1 = ""; print}' | sed 's/valid_lft.*//'
  ip route show table all
  ip -6 route show table all | grep -v '^local\|^multicast\|^anycast' || true
  ip rule show
  iptables-save 2>/dev/null | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]//'
  ipset list -n 2>/dev/null || true
}

# rpf_drops NETNS: TcpExtIPReversePathFilter of that netns.
rpf_drops() {
  nsx "$1" awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 } else
    print $c["IPReversePathFilter"] }' /proc/net/netstat
}

check_fault() { # NAME: traffic effect (or state change) of one injected fault
  local n=$1 node1_ip node2_ip
  case $n in
    spn-*)
      node1_ip=$(lab_nvar node1 IP)
      node2_ip=$(lab_nvar node2 IP)
      ;;
  esac
  case $n in
    spn-calico-jump-first | spn-src-ipset-missing-pod | spn-dst-ipset-mismatch)
      expect_source visitor-node1 "$node1_ip" "$n"
      expect_source visitor-node3 "$LAB_EIP" "$n (other node unaffected)"
      ;;
    spn-mark-wrong | spn-ip-rule-missing | spn-route-wrong-gateway | spn-vxlan-down | \
      spn-vxlan-wrong-vni | spn-vxlan-wrong-port | spn-neigh-missing | spn-fdb-missing)
      expect_timeout visitor-node1 "$n"
      expect_source visitor-node3 "$LAB_EIP" "$n (other node unaffected)"
      ;;
    spn-rpfilter-strict)
      expect_timeout visitor-node1 "$n" "$LAB_EIP"
      ;;
    spn-snat-wrong-eip)
      expect_timeout visitor-node1 "$n" 172.16.25.190
      expect_timeout visitor-node2 "$n" 172.16.25.190
      expect_source web-node1 "$node1_ip" "$n (unselected pod unaffected)"
      ;;
    spn-snat-jump-not-first)
      expect_source visitor-node1 "$node2_ip" "$n"
      expect_source visitor-node2 "$node2_ip" "$n"
      ;;
    aks-wg-link-missing | aks-wg-wrong-port | aks-gw-peer-missing | \
      aks-host0-default-route-missing | aks-ilb-ip-missing | aks-pod-peer-endpoint-wrong)
      expect_timeout client-0 "$n"
      ;;
    aks-snat-wrong-ip)
      # The gateway host has rp_filter 2 and host-gateway carries no IPv4 address, so the
      # kernel drops what the netns SNATed to an address that does not route back there.
      local before after
      before=$(rpf_drops "$(lab_nvar "$LAB_GW_NODE" NETNS)")
      expect_timeout client-0 "$n"
      after=$(rpf_drops "$(lab_nvar "$LAB_GW_NODE" NETNS)")
      ((after > before)) || fail "$n: no reverse-path drops on $LAB_GW_NODE ($before -> $after)"
      "$lab/exec.sh" "$LAB_GW_NODE" ip netns exec "$LAB_GW_NETNS" iptables-save -t nat |
        grep -q -- '--to-source 10.243.0.8' || fail "$n: SNAT rule not changed"
      pass "$n: packets SNATed to 10.243.0.8 dropped on $LAB_GW_NODE ($((after - before)) rp_filter drops)"
      ;;
    aks-lb-probe-unhealthy)
      [[ $(health_code) == 503 ]] || fail "$n: health /gw/<uid> is $(health_code), want 503"
      pass "$n: LB probe answers 503"
      expect_source client-0 "$LAB_SECONDARY_IP" "$n (traffic unaffected)"
      ;;
    aks-cni-conf-shadowed)
      local first
      first=$("$lab/exec.sh" aks-worker-0 sh -c 'ls /etc/cni/net.d | head -1')
      [[ $first == 00-shadow.conflist ]] || fail "$n: first conf on the worker is '$first'"
      [[ ! -e /etc/cni/net.d/00-shadow.conflist ]] || fail "$n: leaked into the host's view"
      pass "$n: worker's /etc/cni/net.d now starts with $first (host view untouched)"
      expect_source client-0 "$LAB_SECONDARY_IP" "$n (traffic unaffected)"
      ;;
    aks-pod-fwmark-rule-missing)
      ip -n "$(lab_pvar "$LAB_POD" NETNS)" rule | grep -q 'fwmark 0x2222' &&
        fail "$n: rule still present"
      ! ingress_ok || fail "$n: inbound connection still answered"
      pass "$n: inbound connection to client-0 times out (reply leaves through wg0)"
      expect_source client-0 "$LAB_SECONDARY_IP" "$n (egress unaffected)"
      ;;
    *) fail "no expectation for fault $n" ;;
  esac
}

cmd=${1:-}
shift || true
case $cmd in
  selftest)
    python3 "$lab/labgen.py" selftest
    ;;
  up)
    t=$EPOCHREALTIME
    objects=$("$lab/up.sh" "$@")
    echo "TIME up $* $(elapsed "$t")s"
    [[ -s $objects ]] || fail "up.sh did not print an objects.json path"
    python3 - "$objects" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["apiVersion"] == "v1" and doc["kind"] == "List", "not a v1 List"
for item in doc["items"]:
    m = item["metadata"]
    assert item["apiVersion"] and item["kind"] and m["name"] and m["uid"] and m["creationTimestamp"], m
print("ok: objects.json is a v1 List of %d objects" % len(doc["items"]))
EOF
    healthy "$1"
    ;;
  fault)
    name=$1
    flavour=$(python3 "$lab/labgen.py" faults | awk -v n="$name" '$1 == n {print $2}')
    [[ -n $flavour ]] || fail "unknown fault $name"
    lab_load "$flavour"
    # Whatever happens, leave a healthy lab for the next test.
    trap '"$lab/repair.sh" "$flavour" >/dev/null 2>&1 || true' EXIT
    "$lab/fault.sh" "$name"
    check_fault "$name"
    trap - EXIT
    t=$EPOCHREALTIME
    "$lab/repair.sh" "$flavour"
    echo "TIME repair $flavour $(elapsed "$t")s"
    lab_load "$flavour"
    [[ ! -e $LAB_STATE/faults ]] || fail "repair left the fault record behind"
    p=${LAB_PODS%% *}
    expect_source "$p" "$(lab_pvar "$p" EXPECTEDEGRESSIP)" "repaired"
    ;;
  rerun)
    flavour=$1
    "$lab/up.sh" "$flavour" >/dev/null
    lab_load "$flavour"
    read -r old_pid _ <"$LAB_STATE/pids/echo.pid"
    "$lab/up.sh" "$flavour" >/dev/null
    gone "$old_pid" || fail "first echo server ($old_pid) survived a second up"
    # Simulated crash: the state is half gone but namespaces and processes remain.
    lab_load "$flavour"
    read -r crash_pid _ <"$LAB_STATE/pids/echo.pid"
    rm -f "$LAB_STATE/lab.env" "$LAB_STATE/lab.json"
    "$lab/up.sh" "$flavour" >/dev/null
    gone "$crash_pid" || fail "echo server ($crash_pid) of the crashed lab survived"
    healthy "$flavour"
    pass "rerun: up twice and after a partial crash leaves one healthy lab"
    "$0" down "$flavour"
    ;;
  both)
    created=""
    for d in $LAB_VIEW_DIRS; do [[ -e $d ]] || created+="$d"$'\n'; done
    root_before=$(root_state)
    # The demo runs both labs at once: node names, netns and addresses must not collide, and
    # taking one down must not disturb the other.
    "$0" up spidernet
    "$0" up azure
    healthy spidernet
    [[ $(root_state) == "$root_before" ]] ||
      fail "the root network namespace changed: $(diff <(echo "$root_before") <(root_state))"
    pass "both: root netns links, addresses, routes, rules, iptables and ipsets untouched"
    "$0" down spidernet
    healthy azure
    "$lab/exec.sh" aks-gw-0 test -S "/run/wireguard/$LAB_GW_WG_IF.sock" ||
      fail "azure node view lost /run/wireguard after spidernet went down"
    "$0" down azure
    for d in $LAB_VIEW_DIRS; do
      if grep -qx "$d" <<<"$created"; then [[ ! -e $d ]] || fail "$d left behind"; fi
    done
    pass "both: labs coexist and go down independently"
    ;;
  down)
    flavour=$1
    short=$(lab_short "$flavour")
    pids=""
    if [[ -d $LAB_ROOT/$flavour/pids ]]; then
      pids=$(cat "$LAB_ROOT/$flavour"/pids/*.pid 2>/dev/null | awk '{print $1}')
    fi
    t=$EPOCHREALTIME
    "$lab/down.sh" "$flavour"
    echo "TIME down $flavour $(elapsed "$t")s"
    ! ls /run/netns 2>/dev/null | grep -q "^edl-$short-" || fail "netns edl-$short-* left behind"
    [[ ! -e $LAB_ROOT/$flavour ]] || fail "$LAB_ROOT/$flavour left behind"
    ! grep -q " $LAB_ROOT/$flavour" /proc/self/mountinfo || fail "mounts left behind"
    for p in $pids; do
      gone "$p" || fail "process $p left running"
    done
    pass "down: no netns, mounts, state or processes of $flavour remain"
    ;;
  legacy)
    "$0" up azure --legacy
    lab_load azure
    [[ $LAB_LAYOUT == legacy ]] || fail "not the legacy layout"
    "$lab/exec.sh" aks-gw-0 test -e "/run/netns/$LAB_GW_NETNS" || fail "no $LAB_GW_NETNS on aks-gw-0"
    [[ $LAB_GW_NETNS == gw-"$LAB_SGC_UID"-10_243_0_6 ]] || fail "legacy netns name $LAB_GW_NETNS"
    "$lab/exec.sh" aks-gw-0 ip netns exec "$LAB_GW_NETNS" iptables-save -t nat |
      grep -q -- '-A POSTROUTING -o host0 -j MASQUERADE' || fail "legacy MASQUERADE missing"
    pass "legacy: $LAB_GW_NETNS with wg0 and MASQUERADE"
    for f in aks-wg-link-missing aks-snat-wrong-ip aks-host0-default-route-missing; do
      "$0" fault "$f"
    done
    lab_load azure
    [[ $LAB_LAYOUT == legacy ]] || fail "repair lost the legacy layout"
    "$0" down azure
    ;;
  apply)
    # Needs a control plane (EGRESSDIAG_TESTENV_DIR) and the lab FLAVOUR up.
    flavour=$1
    lab_load "$flavour"
    applied=$("$lab/apply.sh" "$flavour")
    python3 "$repo/tests/lab/check_applied.py" "$LAB_OBJECTS" "$applied"
    if [[ $flavour == azure ]]; then
      server_uid=$(tail -1 "$LAB_STATE/health-uids")
      [[ $server_uid != "$LAB_SGC_UID" ]] || fail "apply: server uid not registered"
      [[ $(health_code "$server_uid") == 200 ]] || fail "apply: health of the server uid not 200"
      pass "apply: LB probe answers 200 for the server's SGC uid $server_uid"
    fi
    ;;
  *)
    sed -n '2,11p' "$0"
    exit 2
    ;;
esac

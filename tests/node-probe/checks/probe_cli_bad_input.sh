#!/usr/bin/env bash
# `egressdiag-probe check` on bad input: exit 2 with a clear message on stderr and no findings on
# stdout; --help documents the command; without capabilities the datapath checks are Unknown
# (never Pass). Needs no lab and sends no traffic.
set -uo pipefail
probe=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
passes=0

expect() {  # expect NAME WANT_RC STDERR_PATTERN -- ARGS...
  local name=$1 want=$2 pattern=$3
  shift 4
  local rc=0
  "$probe" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  if [[ $rc != "$want" ]]; then
    echo "FAIL $name: exit $rc, want $want; stderr: $(cat "$tmp/err")"; failures=$((failures + 1)); return
  fi
  if [[ -n $pattern ]] && ! grep -qE -- "$pattern" "$tmp/err"; then
    echo "FAIL $name: stderr lacks /$pattern/: $(cat "$tmp/err")"; failures=$((failures + 1)); return
  fi
  if [[ $want == 2 && -s $tmp/out ]]; then
    echo "FAIL $name: printed findings on bad input: $(head -c 200 "$tmp/out")"
    failures=$((failures + 1)); return
  fi
  passes=$((passes + 1))
}

cat >"$tmp/objects.json" <<'JSON'
{"apiVersion": "v1", "kind": "List", "items": [
 {"apiVersion": "egressgateway.spidernet.io/v1beta1", "kind": "EgressTunnel",
  "metadata": {"name": "node1"},
  "status": {"tunnel": {"ipv4": "192.200.142.89", "mac": "66:c5:d6:cc:29:54",
             "parent": {"name": "eth0", "ipv4": "10.6.1.21"}}, "phase": "Ready", "mark": "0x2698ee37"}},
 {"apiVersion": "egressgateway.spidernet.io/v1beta1", "kind": "EgressGateway",
  "metadata": {"name": "default"}, "spec": {}, "status": {"nodeList": [{"name": "node1", "status": "Ready"}]}}
]}
JSON
printf '{"apiVersion": "v1", "kind": "List", "items": [' >"$tmp/truncated.json"
cat >"$tmp/unknown-kinds.json" <<'JSON'
{"apiVersion": "v1", "kind": "List", "items": [
 {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x", "namespace": "default"}},
 {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "y"}}]}
JSON
printf '{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "egressgateway.spidernet.io/v1beta1", "kind": "EgressTunnel", "metadata": {"name": "node1"}, "status": {"mark": 7}}]}' >"$tmp/bad-type.json"

expect help 0 "" -- check --help
grep -q -- "--objects FILE" "$tmp/out" || { echo "FAIL help: usage lacks --objects"; failures=$((failures + 1)); }
expect no-command 2 "Usage" --
expect unknown-command 2 "unknown command" -- frobnicate
expect missing-node 2 "--node is required" -- check --objects "$tmp/objects.json"
expect missing-objects 2 "--objects is required" -- check --node node1
expect unknown-flag 2 "unknown argument --frob" -- check --node node1 --objects x --frob
expect bad-timeout 2 "--timeout" -- check --node node1 --objects x --timeout 0
expect unreadable 2 "cannot read .*/nope.json" -- check --node node1 --objects "$tmp/nope.json"
expect directory 2 "cannot read" -- check --node node1 --objects "$tmp"
expect malformed 2 "objects: .*" -- check --node node1 --objects "$tmp/truncated.json"
expect empty 2 "objects: " -- check --node node1 --objects /dev/null
expect wrong-type 2 "mark" -- check --node node1 --objects "$tmp/bad-type.json"
expect unknown-kinds 2 "no spidernet or Azure.*2 items of unknown kinds" -- check --node node1 --objects "$tmp/unknown-kinds.json"
expect unknown-node 2 "node node9 is not in the objects \(known: node1\)" -- check --node node9 --objects "$tmp/objects.json"

# Without capabilities (nobody, empty capability sets) iptables cannot be read: the checks that
# need it are Unknown and name CAP_NET_ADMIN; nothing that needs it passes.
if command -v setpriv >/dev/null && ((EUID == 0)); then
  cp "$tmp/objects.json" "$tmp/pub.json" && chmod 755 "$tmp" && chmod 644 "$tmp/pub.json"
  rc=0
  setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
    "$probe" check --node node1 --objects "$tmp/pub.json" --json >"$tmp/caps.json" 2>"$tmp/caps.err" || rc=$?
  verdict=$(python3 - "$tmp/caps.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = [f["check"] + ":" + f["status"] for f in d["findings"]
       if f["check"] in ("SPN-HOOK-ORDER", "SPN-IPT-READABLE", "SPN-REPLY-ROUTING")
       and not (f["status"] == "Unknown" and "CAP_NET_ADMIN" in f["message"])]
print("ok" if not bad else "bad " + " ".join(bad))
PY
)
  if [[ ($rc == 0 || $rc == 1) && $verdict == ok ]]; then passes=$((passes + 1)); else
    echo "FAIL no-capabilities: exit $rc, $verdict; $(cat "$tmp/caps.err")"; failures=$((failures + 1))
  fi
else
  echo "no-capabilities case not run: needs root and setpriv"
fi

echo "$passes passed, $failures failed"
((failures == 0))

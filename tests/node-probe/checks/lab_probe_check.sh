#!/usr/bin/env bash
# Runs `egressdiag-probe check` on every node of a real-kernel lab (hack/lab), healthy and
# under each fault, and asserts the findings:
#   lab_probe_check.sh PROBE spidernet|azure|azure-legacy
# - healthy: no Fail on any node, E2E-SOURCE-IP passes where a selected pod runs;
# - each fault (mapping below): Fail on the expected check ID on the node the fault touches,
#   and no Fail on any check outside the fault's set (the expected ID plus the end-to-end and
#   tunnel checks the fault breaks by design).
# The lab is brought up once; faults are injected one at a time with repair.sh in between.
set -euo pipefail
probe=$1
flavour=$2
repo=$(cd "$(dirname "$0")/../../.." && pwd)
lab=$repo/hack/lab
up_args=()
lab_flavour=$flavour
case $flavour in
  spidernet) echo_url=http://172.16.25.183:8080/ ;;
  azure) echo_url=http://203.0.113.10:8080/ ;;
  azure-legacy) echo_url=http://203.0.113.10:8080/; lab_flavour=azure; up_args=(--legacy) ;;
  *) echo "unknown flavour $flavour" >&2; exit 2 ;;
esac

failures=0
passes=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { passes=$((passes + 1)); }

objects=$("$lab/up.sh" "$lab_flavour" "${up_args[@]}" | tail -1)
trap '"$lab/down.sh" "$lab_flavour" >/dev/null 2>&1 || true' EXIT

# run NODE -> JSON on stdout; the exit code is checked against the findings.
run() {
  local node=$1 out rc=0
  out=$("$lab/exec.sh" "$node" "$probe" check --node "$node" --objects "$objects" --json \
    --echo-url "$echo_url" --timeout 2) || rc=$?
  printf '%s' "$out" >"$tmp/$node.json"
  local want_rc
  want_rc=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(1 if any(f["status"]=="Fail" for f in d["findings"]) else 0)' "$tmp/$node.json")
  [[ $rc == "$want_rc" ]] || echo "$node: exit $rc, findings say $want_rc" >>"$tmp/errors"
}

# Runs are backgrounded per node; their exit-code mismatches are collected here.
collect() {
  if [[ -s $tmp/errors ]]; then
    while read -r line; do fail "$line"; done <"$tmp/errors"
    : >"$tmp/errors"
  fi
}

# failing NODE -> "CHECK=REASON ..." of the Fail findings
failing() {
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(sorted(f["check"]+"="+f["reason"] for f in d["findings"] if f["status"]=="Fail")))' "$tmp/$1.json"
}

status_of() {  # status_of NODE CHECK -> statuses of that check, space separated
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(f["status"] for f in d["findings"] if f["check"]==sys.argv[2]))' "$tmp/$1.json" "$2"
}

tmp=$(mktemp -d)
trap '"$lab/down.sh" "$lab_flavour" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT

if [[ $lab_flavour == spidernet ]]; then
  nodes=(node1 node2 node3)
  e2e_nodes=(node1 node2 node3)
else
  nodes=(aks-gw-0 aks-worker-0)
  e2e_nodes=(aks-worker-0)
fi
# fault  node  expected-check  checks the fault breaks by design: the lab's fault catalogue
# (hack/lab/labgen.py FAULT_CHECKS, written to lab.json).
mapfile -t faults < <(python3 -c 'import json,sys
for f in json.load(open(sys.argv[1]))["faults"]:
    print(f["name"], f["nodes"][0], f["check"], ",".join(f["alsoFails"]) or "-")' \
  "/run/egressdiag-lab/$lab_flavour/lab.json")
((${#faults[@]} > 0)) || { echo "no faults in lab.json" >&2; exit 1; }

echo "== healthy $flavour"
for node in "${nodes[@]}"; do
  run "$node" &
done
wait
collect
for node in "${nodes[@]}"; do
  f=$(failing "$node")
  if [[ -n $f ]]; then fail "healthy $node reports Fail: $f"; else ok; fi
done
for node in "${e2e_nodes[@]}"; do
  s=$(status_of "$node" E2E-SOURCE-IP)
  if [[ $s == Pass* && $s != *Fail* && $s != *Unknown* ]]; then ok; else
    fail "healthy $node: E2E-SOURCE-IP is '$s', expected Pass"
  fi
done

for spec in "${faults[@]}"; do
  read -r name node want also <<<"$spec"
  echo "== fault $name -> $want on $node"
  "$lab/fault.sh" "$name" >/dev/null
  for n in "${nodes[@]}"; do
    run "$n" &
  done
  wait
collect
  for n in "${nodes[@]}"; do
    for item in $(failing "$n"); do
      check=${item%%=*}
      if [[ $n == "$node" && $check == "$want" ]]; then
        continue
      fi
      # Consequences by design may show on any node: a peer's ping to the broken tunnel, an
      # end-to-end probe crossing the broken node.
      if [[ ",$also," == *",$check,"* ]]; then
        continue
      fi
      fail "$name: unexpected Fail $item on $n"
    done
  done
  f=$(failing "$node")
  if [[ " $f " == *" $want="* ]]; then ok; else fail "$name: expected Fail $want on $node, got '$f'"; fi
  if [[ $name == spn-snat-wrong-eip || $name == spn-snat-jump-not-first ]]; then
    # SNAT broken: the echo server reports the wrong source and the finding names it.
    msg=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(f["reason"]+":"+f["message"] for f in d["findings"] if f["check"]=="E2E-SOURCE-IP"))' "$tmp/$node.json")
    if [[ $msg == WrongSourceIP:*" egresses as "* || $msg == EchoTimeout:* ]]; then ok; else
      fail "$name: E2E-SOURCE-IP on $node should fail with the observed IP, got '$msg'"
    fi
    echo "   $msg"
  fi
  "$lab/repair.sh" "$lab_flavour" >/dev/null
done

echo "== after repair"
for node in "${nodes[@]}"; do
  run "$node" &
done
wait
collect
for node in "${nodes[@]}"; do
  f=$(failing "$node")
  if [[ -n $f ]]; then fail "repaired $node reports Fail: $f"; else ok; fi
done

echo "$passes passed, $failures failed"
((failures == 0))

#!/usr/bin/env bash
# Issue 5's node benchmark: builds the synthetic node in a scratch netns, runs our snapshot +
# spidernet checks and the shell runbook N times each on the same node, prints a table, tears
# the netns down. Needs root (netns, iptables, ipset).
#   run.sh --bin PATH/node_bench [--iterations N] [--cold]
# --cold: every pass of ours reads iptables afresh (see node_bench.cc `cold`); by default passes
# after the first reuse the iptables-nft-save output while the ruleset is unchanged.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin="" n=50 mode=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --iterations) n=$2; shift 2 ;;
    --cold) mode=cold; shift ;;
    *) echo "usage: $0 --bin PATH/node_bench [--iterations N] [--cold]" >&2; exit 2 ;;
  esac
done
[[ -x $bin ]] || { echo "$0: --bin must name the built node_bench" >&2; exit 2; }

gen=$(mktemp -d /tmp/edb-bench-gen.XXXXXX)
ns=""
cleanup() {
  [[ -n $ns ]] && "$here/make-node.sh" teardown "$ns"
  rm -rf "$gen"
}
trap cleanup EXIT

"$bin" gen "$gen"
ns=$("$here/make-node.sh" create "$gen")
echo "node: netns $ns; $(ip netns exec "$ns" iptables-save | grep -c '^-A') iptables rules," \
  "$(ip netns exec "$ns" ipset list -n | wc -l) ipsets," \
  "$(ip netns exec "$ns" ip route show table all | grep -c ' table [0-9]') routes in tables," \
  "$(ip netns exec "$ns" ip rule | grep -c fwmark) fwmark rules"
echo "load before: $(uptime)"

# The runbook must agree with the node, or it is not doing the comparisons.
"$here/runbook.sh" "$ns" "$gen"

ours=$("$bin" run "$ns" "$n" ${mode:+"$mode"})

for ((i = 0; i < n; i++)); do
  /usr/bin/time -f '%e %U %S %M' -a -o "$gen/times" "$here/runbook.sh" "$ns" "$gen"
done
echo "load after: $(uptime)"

# Nearest-rank percentile of column values on stdin.
pct() { sort -g | awk -v p="$1" '{v[NR]=$1} END {r=int(p*NR); if (r<p*NR) r++; if (r<1) r=1; print v[r]}'; }
rb_wall50=$(awk '{print $1*1000}' "$gen/times" | pct 0.5)
rb_wall99=$(awk '{print $1*1000}' "$gen/times" | pct 0.99)
rb_cpu50=$(awk '{print ($2+$3)*1000}' "$gen/times" | pct 0.5)
rb_cpu99=$(awk '{print ($2+$3)*1000}' "$gen/times" | pct 0.99)
rb_rss=$(awk '{print $4}' "$gen/times" | pct 1)

val() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$ours"; }
echo "$ours" | sed 's/^/raw: /'
printf '\n| %-22s | %12s | %12s | %8s |\n' "N=$n" "egressdiag" "runbook.sh" "ratio"
printf '|%s|%s|%s|%s|\n' "------------------------" "--------------" "--------------" "----------"
row() { printf '| %-22s | %12s | %12s | %7.1fx |\n' "$1" "$2" "$3" "$(awk -v a="$2" -v b="$3" 'BEGIN{print b/a}')"; }
row "wall p50 (ms)" "$(val wall_p50_ms)" "$rb_wall50"
row "wall p99 (ms)" "$(val wall_p99_ms)" "$rb_wall99"
row "CPU p50 (ms)" "$(val cpu_p50_ms)" "$rb_cpu50"
row "CPU p99 (ms)" "$(val cpu_p99_ms)" "$rb_cpu99"
row "peak RSS, process (KiB)" "$(val peak_rss_kib)" "$rb_rss"
echo "(egressdiag first pass: wall $(val first_wall_ms) ms, CPU $(val first_cpu_ms) ms;" \
  "mode: ${mode:-warm})"
echo "(egressdiag child iptables-save peak RSS: $(val child_peak_rss_kib) KiB;" \
  "runbook: largest process of a pass)"

#!/usr/bin/env bash
# Issue 5's synthetic large node, in ONE scratch network namespace (the root namespace is never
# touched: both veth ends, the vxlan, the routes, rules, ipsets and iptables live in the netns).
#
#   make-node.sh create GEN_DIR   -> prints the netns name (edb-bench-<pid>)
#   make-node.sh teardown NAME    -> deletes that netns (ipsets and nft tables go with it)
#
# GEN_DIR holds the files `node_bench gen GEN_DIR` wrote: iptables.rules, ipset.restore, ip.batch.
set -euo pipefail

usage() { echo "usage: $0 create GEN_DIR | teardown edb-bench-<pid>" >&2; exit 2; }

create() {
  local dir=$1 ns="edb-bench-$$"
  for f in iptables.rules ipset.restore ip.batch; do
    [[ -s $dir/$f ]] || { echo "$0: $dir/$f missing (run node_bench gen $dir)" >&2; exit 1; }
  done
  ip netns add "$ns"
  # On any failure below, leave nothing behind.
  trap 'ip netns delete "$ns" 2>/dev/null || true' ERR
  local x=(ip netns exec "$ns")
  "${x[@]}" ip link set lo up
  "${x[@]}" ip link add edb-a type veth peer name edb-b
  "${x[@]}" ip addr add 192.168.0.1/16 dev edb-a
  "${x[@]}" ip link set edb-a up
  "${x[@]}" ip link set edb-b up
  "${x[@]}" ip link add egress.vxlan type vxlan id 100 dstport 7789 dev edb-a local 192.168.0.1
  "${x[@]}" ip addr add 10.200.0.1/16 dev egress.vxlan
  "${x[@]}" ip link set egress.vxlan up
  "${x[@]}" ipset restore < "$dir/ipset.restore"
  "${x[@]}" iptables-restore < "$dir/iptables.rules"
  "${x[@]}" ip -batch "$dir/ip.batch"
  trap - ERR
  echo "$ns"
}

teardown() {
  local ns=$1
  [[ $ns == edb-bench-* ]] || { echo "$0: refusing to delete netns '$ns'" >&2; exit 2; }
  ip netns delete "$ns"
}

case "${1:-}" in
  create) [[ $# -eq 2 ]] || usage; create "$2" ;;
  teardown) [[ $# -eq 2 ]] || usage; teardown "$2" ;;
  *) usage ;;
esac

#!/usr/bin/env bash
# Builds a datapath lab in network namespaces (see docs/lab.md).
#
#   up.sh spidernet            spidernet-io/egressgateway v0.6.9: node1..node3 (EIP on node2)
#   up.sh azure [--legacy]     kube-egress-gateway: aks-gw-0 + aks-worker-0 (legacy: <= v0.0.7)
#
# Leftovers of the same flavour (an earlier run, a crash) are torn down first. Prints the path
# of objects.json on stdout; lab.json / lab.env describe the lab for tests and probes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$LAB_HERE/spidernet.sh"
source "$LAB_HERE/azure.sh"

flavour=""
legacy=""
while (($#)); do
  case $1 in
    --legacy) legacy=--legacy; shift ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    spidernet | azure) flavour=$1; shift ;;
    *) lab_die "up.sh: unknown argument '$1'" ;;
  esac
done
[[ -n $flavour ]] || lab_die "usage: up.sh spidernet|azure [--legacy]"
[[ -z $legacy || $flavour == azure ]] || lab_die "--legacy applies to the azure flavour only"
lab_need_root

start=$EPOCHREALTIME
lab_teardown "$flavour"
lab_prepare_state "$flavour"
state=$LAB_ROOT/$flavour
# On any failure, leave nothing half-built behind.
trap 'rc=$?; if ((rc)); then lab_log "up failed, tearing down"; lab_teardown "$flavour"; fi' EXIT
python3 "$LAB_GEN" render "$flavour" "$state" $legacy
lab_load "$flavour"
case $flavour in
  spidernet) spn_up ;;
  azure) az_up ;;
esac
echo "$legacy" >"$state/up-args"
trap - EXIT
lab_log "$flavour lab up in $(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.2f", b-a}')s; description: $state/lab.json"
echo "$state/objects.json"

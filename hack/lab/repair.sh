#!/usr/bin/env bash
# Restores the healthy lab after faults: repair.sh [spidernet|azure] (default: every lab that
# is up). First the node state is reconciled in place (as the agent / daemon / CNI would set
# it); if that fails or a lab process has died, the lab is rebuilt from scratch with the same
# layout. objects.json (uids, keys, timestamps) is kept byte for byte either way.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$LAB_HERE/spidernet.sh"
source "$LAB_HERE/azure.sh"

# in_place FLAVOUR: reconcile; fails if any lab process is gone or any step fails. Must not
# run as an `if` condition (errexit would be ignored there).
in_place() {
  lab_load "$1"
  local f pid start
  for f in "$LAB_STATE"/pids/*.pid; do
    read -r pid start <"$f"
    lab_alive "$pid" "$start"
  done
  case $1 in
    spidernet) spn_reconcile ;;
    azure) az_reconcile ;;
  esac
  rm -f "$LAB_STATE/faults"
}
lab_need_root
targets=${1:-}
if [[ -z $targets ]]; then
  for f in $LAB_FLAVOURS; do [[ -f $LAB_ROOT/$f/lab.env ]] && targets+=" $f"; done
fi
[[ -n $targets ]] || lab_die "no lab is up"
for f in $targets; do
  lab_check_flavour "$f"
  [[ -f $LAB_ROOT/$f/objects.json ]] || lab_die "lab '$f' is not up"
  if [[ ${LAB_REPAIR_REBUILD:-0} != 1 ]]; then
    set +e
    (
      set -e
      in_place "$f"
    ) 2>"$LAB_ROOT/$f/repair.log"
    rc=$?
    set -e
    if ((rc == 0)); then
      lab_log "$f repaired in place"
      continue
    fi
    lab_log "$f: in-place repair failed ($(tail -1 "$LAB_ROOT/$f/repair.log" 2>/dev/null)), rebuilding"
  fi
  keep=$(mktemp -d)
  # Kept across the rebuild: the objects (uids, keys, timestamps), and what apply.sh added.
  for k in objects.json objects.applied.json health-uids health-uids.applied; do
    [[ ! -e $LAB_ROOT/$f/$k ]] || cp "$LAB_ROOT/$f/$k" "$keep/"
  done
  args=$(cat "$LAB_ROOT/$f/up-args" 2>/dev/null || true)
  # shellcheck disable=SC2086
  "$LAB_HERE/up.sh" "$f" $args >/dev/null
  cp "$keep"/* "$LAB_ROOT/$f/"
  rm -rf "$keep"
  lab_log "$f repaired"
done

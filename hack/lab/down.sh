#!/usr/bin/env bash
# Removes a datapath lab: down.sh [spidernet|azure|all] (default all). Only what the lab made:
# processes by recorded PID, netns edl-<spn|az>-*, mounts and files under
# /run/egressdiag-lab/<flavour>/, and the empty mount points it created (after the last lab).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
target=${1:-all}
[[ $target == -h || $target == --help ]] && { sed -n '2,4p' "$0"; exit 0; }
lab_need_root
start=$EPOCHREALTIME
if [[ $target == all ]]; then
  for f in $LAB_FLAVOURS; do lab_teardown "$f"; done
else
  lab_check_flavour "$target"
  lab_teardown "$target"
fi
lab_log "$target down in $(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.2f", b-a}')s"

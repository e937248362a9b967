#!/usr/bin/env bash
# Stops exactly the processes up.sh started (by the PIDs it recorded: SIGTERM, then SIGKILL
# after a timeout) in the order controller-manager, apiserver, etcd, then removes the state dir.
#
#   down.sh --state-dir DIR [--keep]      (--keep leaves DIR, e.g. to read the logs)
set -euo pipefail
state=""
keep=0
while (($#)); do
  case $1 in
    --state-dir) state=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "down.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -n $state ]] || { echo "down.sh: --state-dir is required" >&2; exit 2; }
[[ -d $state ]] || exit 0

stop_pid() { # pidfile
  [[ -f $1 ]] || return 0
  local pid
  pid=$(<"$1")
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.2
  done
  kill -KILL "$pid" 2>/dev/null || true
}
stop_pid "$state/kube-controller-manager.pid"
stop_pid "$state/kube-apiserver.pid"
stop_pid "$state/etcd.pid"
if ((!keep)); then
  # Only ever a directory up.sh populated: refuse anything that does not look like one.
  [[ -d $state/pki ]] && rm -rf "$state"
fi
exit 0

#!/usr/bin/env bash
# Runs a command on a lab node: exec.sh NODE CMD [ARGS...]
# The command gets the node's network namespace and its private mount view (/run/netns,
# /run/wireguard, /etc/cni/net.d are the node's own), like a process on a real node.
# Set LAB_EXEC_CWD to change directory first (default: keep the caller's).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
(($# >= 2)) || lab_die "usage: exec.sh NODE CMD [ARGS...]"
node=$1
shift
flavour=$(lab_node_flavour "$node") || lab_die "no lab node named '$node'"
lab_load "$flavour"
dir=$(lab_nvar "$node" DIR)
exec nsenter --mount="$dir/mnt" --net="/run/netns/$(lab_nvar "$node" NETNS)" \
  --wd="${LAB_EXEC_CWD:-$PWD}" -- "$@"

# Shared helpers for the datapath lab (sourced, not executed). See docs/lab.md.
# Everything the lab creates lives in netns named edl-<spn|az>-*, under
# /run/egressdiag-lab/<flavour>/ (state, node views, pids) and, only if they were missing,
# the empty mount points /run/wireguard and /etc/cni/net.d (recorded, removed by down.sh).

LAB_ROOT=/run/egressdiag-lab
LAB_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_GEN="$LAB_HERE/labgen.py"
LAB_FLAVOURS="spidernet azure"
# Host paths that each node sees privately (bind mounts inside the node's mount namespace).
LAB_VIEW_DIRS="/run/wireguard /etc/cni/net.d"

lab_log() { echo "lab: $*" >&2; }
lab_die() { echo "lab: error: $*" >&2; exit 1; }

lab_need_root() { [[ $(id -u) == 0 ]] || lab_die "must run as root"; }

lab_check_flavour() {
  case $1 in
    spidernet | azure) ;;
    *) lab_die "unknown flavour '$1' (spidernet|azure)" ;;
  esac
}

lab_short() { case $1 in spidernet) echo spn ;; azure) echo az ;; esac; }

# lab_load FLAVOUR: sources the rendered lab.env (fails if that flavour is not up).
lab_load() {
  lab_check_flavour "$1"
  [[ -f $LAB_ROOT/$1/lab.env ]] || lab_die "lab '$1' is not up (no $LAB_ROOT/$1/lab.env)"
  # shellcheck disable=SC1090
  source "$LAB_ROOT/$1/lab.env"
}

# Variable lookups by node / pod name (names may contain '-').
lab_nvar() { local v="LAB_NODE_${1//-/_}_$2"; echo "${!v}"; }
lab_pvar() { local v="LAB_POD_${1//-/_}_$2"; echo "${!v}"; }

# lab_node_flavour NODE: prints the flavour whose lab owns NODE.
lab_node_flavour() {
  local f
  for f in $LAB_FLAVOURS; do
    if [[ -d $LAB_ROOT/$f/nodes/$1 ]]; then
      echo "$f"
      return 0
    fi
  done
  return 1
}

# nsx NETNS CMD...: run in a lab network namespace (by name under /run/netns or by path).
nsx() {
  local ns=$1
  shift
  [[ $ns == /* ]] || ns=/run/netns/$ns
  nsenter --net="$ns" -- "$@"
}

# node_x NODE CMD...: run "on" a node: its netns plus its private mount namespace.
node_x() {
  local node=$1 dir netns
  shift
  dir=$(lab_nvar "$node" DIR)
  netns=$(lab_nvar "$node" NETNS)
  nsenter --mount="$dir/mnt" --net="/run/netns/$netns" -- "$@"
}

# ns_sysctl NETNS PATH=VALUE...: PATH relative to /proc/sys (keeps dots in interface names).
ns_sysctl() {
  local ns=$1 kv script=""
  shift
  for kv in "$@"; do
    script+="echo ${kv#*=} > /proc/sys/${kv%%=*};"
  done
  nsx "$ns" sh -c "$script"
}

# lab_start NAME CMD...: start a daemon detached (own session, stdio to a log) and record its
# PID with its start time (field 22 of /proc/PID/stat, unchanged across exec), so stop and
# teardown kill exactly that process and never a recycled PID.
lab_start() {
  local name=$1 pid
  shift
  mkdir -p "$LAB_STATE/pids" "$LAB_STATE/logs"
  setsid "$@" </dev/null >>"$LAB_STATE/logs/$name.log" 2>&1 &
  pid=$!
  printf '%s %s\n' "$pid" "$(lab_starttime "$pid")" >"$LAB_STATE/pids/$name.pid"
}

lab_starttime() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $20}'; }

# lab_alive PID START: the recorded process still runs (not recycled, not a zombie).
lab_alive() {
  local st
  st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $1, $20}')
  [[ -n $st ]] && [[ ${st%% *} != Z ]] && [[ ${st#* } == "$2" ]]
}

# lab_stop_pidfile FILE: kill the recorded process if it is still the one we started.
lab_stop_pidfile() {
  local file=$1 pid start i
  read -r pid start <"$file" || true
  if [[ $pid =~ ^[0-9]+$ ]] && [[ -n $start ]] && lab_alive "$pid" "$start"; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 40); do
      lab_alive "$pid" "$start" || break
      sleep 0.05
    done
    if lab_alive "$pid" "$start"; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$file"
}

lab_wait() { # lab_wait SECONDS CMD...: poll until CMD succeeds
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.05
  done
}

# lab_teardown FLAVOUR: remove everything of one flavour (recorded pids, edl-<short>-* netns,
# mounts under its state dir, the state dir). Safe on partial state left by a crash.
lab_teardown() {
  local flavour=$1 short state f ns mp
  short=$(lab_short "$flavour")
  state=$LAB_ROOT/$flavour
  if [[ -d $state/pids ]]; then
    for f in "$state"/pids/*.pid; do
      [[ -e $f ]] && lab_stop_pidfile "$f"
    done
  fi
  # Mount namespaces and netns files bound under the state dir, deepest first.
  if [[ -d $state ]]; then
    awk -v s="$state" '$5 == s || index($5, s "/") == 1 {print $5}' /proc/self/mountinfo |
      awk '{print length($0), $0}' | sort -rn | cut -d' ' -f2- | while read -r mp; do
      umount "$mp" 2>/dev/null || umount -l "$mp" 2>/dev/null || true
    done
  fi
  for ns in /run/netns/edl-"$short"-*; do
    [[ -e $ns ]] && ip netns del "$(basename "$ns")" 2>/dev/null || true
  done
  if [[ -d $state ]] && ! grep -q " $state" /proc/self/mountinfo; then
    rm -rf "$state"
  fi
  lab_release_host_dirs
}

# The host needs empty mount points for the per-node views; create them only if missing and
# remember that we did, so the last down.sh removes them again.
lab_ensure_host_dirs() {
  local d
  mkdir -p "$LAB_ROOT"
  for d in $LAB_VIEW_DIRS; do
    if [[ ! -d $d ]]; then
      local top=$d
      while [[ ! -d $(dirname "$top") ]]; do top=$(dirname "$top"); done
      mkdir -p "$d"
      echo "$top" >>"$LAB_ROOT/created-dirs"
    fi
  done
}

lab_release_host_dirs() {
  local f d
  for f in $LAB_FLAVOURS; do
    [[ -d $LAB_ROOT/$f ]] && return 0
  done
  if [[ -f $LAB_ROOT/created-dirs ]]; then
    sort -r -u "$LAB_ROOT/created-dirs" | while read -r d; do
      # Only empty directory chains that we created; never anything with content.
      [[ -d $d ]] && find "$d" -depth -type d -empty -delete 2>/dev/null || true
    done
    rm -f "$LAB_ROOT/created-dirs"
  fi
  rmdir "$LAB_ROOT" 2>/dev/null || true
}

# lab_prepare_state FLAVOUR: fresh private state dir (netns / mount-ns files need a private mount).
lab_prepare_state() {
  local state=$LAB_ROOT/$1
  lab_ensure_host_dirs
  mkdir -p "$state"
  mount --bind "$state" "$state"
  mount --make-private "$state"
}

# lab_netns NAME: create a lab netns with lo up.
lab_netns() {
  ip netns add "$1"
  ip -n "$1" link set lo up
}

# lab_underlay: bridge netns plus the external destination (router + echo server).
lab_underlay() {
  lab_netns "$LAB_UNDERLAY_NETNS"
  ip -n "$LAB_UNDERLAY_NETNS" link add br0 type bridge
  ip -n "$LAB_UNDERLAY_NETNS" link set br0 up
  lab_netns "$LAB_ECHO_NETNS"
  lab_attach_underlay "$LAB_ECHO_NETNS" p-ext "$LAB_ROUTER_IP"
  ip -n "$LAB_ECHO_NETNS" addr add "$LAB_ECHO_IP/32" dev lo
}

# lab_attach_underlay NETNS PORT IP: veth eth0 in NETNS, PORT on the underlay bridge.
lab_attach_underlay() {
  ip -n "$LAB_UNDERLAY_NETNS" link add "$2" type veth peer name eth0 netns "$1"
  ip -n "$LAB_UNDERLAY_NETNS" link set "$2" master br0 up
  ip -n "$1" addr add "$3/$LAB_UNDERLAY_PREFIX" dev eth0
  ip -n "$1" link set eth0 up
}

lab_start_echo() {
  lab_start echo nsenter --net="/run/netns/$LAB_ECHO_NETNS" -- python3 "$LAB_HERE/echo_server.py" \
    --bind 0.0.0.0 --port "$LAB_ECHO_PORT" --log "$LAB_ECHO_LOG"
  lab_wait 10 nsx "$LAB_ECHO_NETNS" curl -s --max-time 1 "http://$LAB_ECHO_IP:$LAB_ECHO_PORT/ready" ||
    lab_die "echo server did not start: $(tail -3 "$LAB_STATE/logs/echo.log")"
}

# lab_node_dirs NODE: the node's private views.
lab_node_dirs() {
  local dir
  dir=$(lab_nvar "$1" DIR)
  mkdir -p "$dir/netns" "$dir/wireguard" "$dir/cni"
}

# lab_bind_netns NODE NAME NETNS_PATH: make NETNS_PATH visible as /run/netns/NAME on NODE.
lab_bind_netns() {
  local dir
  dir=$(lab_nvar "$1" DIR)
  touch "$dir/netns/$2"
  mount --bind "$3" "$dir/netns/$2"
}

# lab_node_mountns NODE: persistent private mount namespace whose /run/netns, /run/wireguard
# and /etc/cni/net.d are the node's own directories (created after all netns binds exist), and
# whose /sys shows the node's netns (as `ip netns exec` does). The copies of the host's netns
# mounts and of every lab's state mounts are dropped there, so no node of one lab keeps another
# lab's (or its own dead) namespaces alive.
lab_node_mountns() {
  local dir netns
  dir=$(lab_nvar "$1" DIR)
  netns=$(lab_nvar "$1" NETNS)
  touch "$dir/mnt"
  unshare --mount="$dir/mnt" --propagation private -- \
    nsenter --net="/run/netns/$netns" -- sh -c "
    set -e
    umount -R -l /run/netns 2>/dev/null || true
    mount --rbind '$dir/netns' /run/netns
    mount --bind '$dir/wireguard' /run/wireguard
    mount --bind '$dir/cni' /etc/cni/net.d
    umount -R -l '$LAB_ROOT' 2>/dev/null || true
    for m in \$(awk '\$5 ~ \"^$LAB_ROOT/\" {print \$5}' /proc/self/mountinfo | sort -r); do
      umount -l \"\$m\" 2>/dev/null || true
    done
    umount -l /sys
    mount -t sysfs sysfs /sys"
}

# lab_curl NETNS URL [MAX_TIME]: body of a GET from inside NETNS (empty + failure on timeout).
lab_curl() {
  nsx "$1" curl -sS --connect-timeout "${3:-3}" --max-time "${3:-3}" "$2"
}

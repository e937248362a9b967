# Azure kube-egress-gateway datapath on lab nodes (sourced by up.sh / fault.sh).
# Current layout (v0.0.8+, azure.md §2.1-2.2) or legacy (<= v0.0.7, §2.4) per LAB_LAYOUT.

az_gw_netns_path() { echo "$(lab_nvar "$LAB_GW_NODE" DIR)/netns/$LAB_GW_NETNS"; }
az_pod_netns() { lab_pvar "$LAB_POD" NETNS; }
az_pod_node() { lab_pvar "$LAB_POD" NODE; }

# az_wg_start NODE NAME IFNAME KEYFILE ARGS...: wireguard-go on NODE (its netns and mount view,
# so the UAPI socket lands in the node's /run/wireguard), configured and set up there; the
# caller then moves the TUN into the target netns (its UDP socket stays in the node netns).
az_wg_start() {
  local node=$1 name=$2 ifname=$3 key=$4 dir
  shift 4
  dir=$(lab_nvar "$node" DIR)
  lab_start "$name" nsenter --mount="$dir/mnt" --net="/run/netns/$(lab_nvar "$node" NETNS)" -- \
    env WG_PROCESS_FOREGROUND=1 wireguard-go -f "$ifname"
  # The socket file appears at bind(), before listen(): wait until wg can really talk to it.
  lab_wait 20 node_x "$node" wg show "$ifname" ||
    lab_die "wireguard-go $ifname did not start on $node: $(tail -3 "$LAB_STATE/logs/$name.log")"
  node_x "$node" wg set "$ifname" private-key "$key" "$@"
  node_x "$node" ip link set "$ifname" addrgenmode none
  node_x "$node" ip link set "$ifname" up
}

az_gateway_host_nat() {
  local netns dashed
  netns=$(lab_nvar "$LAB_GW_NODE" NETNS)
  if [[ $LAB_LAYOUT == legacy ]]; then
    nsx "$netns" iptables-restore <<EOF
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -s $LAB_SECONDARY_IP/32 -m comment --comment "no SNAT for traffic from netns $LAB_GW_NETNS" -j RETURN
COMMIT
EOF
  else
    dashed=${LAB_SECONDARY_IP//./-}
    nsx "$netns" iptables-restore <<EOF
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:EGRESS-GATEWAY-SNAT - [0:0]
:EGRESS-$dashed - [0:0]
-A POSTROUTING -m comment --comment "kube-egress-gateway no MASQUERADE" -j EGRESS-GATEWAY-SNAT
-A EGRESS-GATEWAY-SNAT -m comment --comment "kube-egress-gateway no sNAT packet from ip $LAB_SECONDARY_IP" -j EGRESS-$dashed
-A EGRESS-$dashed -s $LAB_SECONDARY_IP/32 -j ACCEPT
COMMIT
EOF
  fi
}

# az_gateway_netns_nat [SNAT_IP]: NAT inside the gateway netns.
az_gateway_netns_nat() {
  local to=${1:-$LAB_SECONDARY_IP} port=$LAB_SGC_PORT
  if [[ $LAB_LAYOUT == legacy ]]; then
    local target="-j MASQUERADE"
    [[ $to == "$LAB_SECONDARY_IP" ]] || target="-j SNAT --to-source $to"
    nsx "$(az_gw_netns_path)" iptables-restore <<EOF
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -o host0 $target
COMMIT
EOF
  else
    nsx "$(az_gw_netns_path)" iptables-restore <<EOF
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:EGRESS-GATEWAY-MARK-$port - [0:0]
:EGRESS-GATEWAY-SNAT-$port - [0:0]
-A PREROUTING -m comment --comment "kube-egress-gateway mark packets from gateway link $LAB_GW_WG_IF" -j EGRESS-GATEWAY-MARK-$port
-A POSTROUTING -m comment --comment "kube-egress-gateway sNAT packets from gateway link $LAB_GW_WG_IF" -j EGRESS-GATEWAY-SNAT-$port
-A EGRESS-GATEWAY-MARK-$port -i $LAB_GW_WG_IF -j CONNMARK --set-xmark $(printf '0x%x' "$port")/0xffffffff
-A EGRESS-GATEWAY-SNAT-$port -o host0 -m connmark --mark $(printf '0x%x' "$port") -j SNAT --to-source $to
COMMIT
EOF
  fi
}

az_gateway() {
  local node=$LAB_GW_NODE netns dir gwns ip
  netns=$(lab_nvar "$node" NETNS)
  dir=$(lab_nvar "$node" DIR)
  ip=$(lab_nvar "$node" IP)
  gwns=$(az_gw_netns_path)
  # Gateway netns (created by the daemon's init container on AKS), visible only in the node view.
  touch "$gwns"
  unshare --net="$gwns" true
  nsx "$gwns" ip link set lo up
  ns_sysctl "$gwns" net/ipv4/ip_forward=1
  if [[ $LAB_LAYOUT == legacy ]]; then
    ip -n "$netns" addr add "$LAB_ILB_IP/$LAB_UNDERLAY_PREFIX" dev eth0
  else
    ip -n "$netns" addr add "$LAB_ILB_IP/32" dev eth0 label eth0:egress
  fi
  cp "$LAB_STATE/cni/10-azure.conflist" "$dir/cni/"
}

# Parts that need the node's mount view (gateway netns by name, wireguard socket).
az_gateway_links() {
  local node=$LAB_GW_NODE netns gwns
  netns=$(lab_nvar "$node" NETNS)
  gwns=$(az_gw_netns_path)
  ip -n "$netns" link add "$LAB_GW_HOST_VETH" type veth peer name host0
  node_x "$node" ip link set host0 netns "$LAB_GW_NETNS"
  ip -n "$netns" link set "$LAB_GW_HOST_VETH" up
  ip -n "$netns" route add "$LAB_SECONDARY_IP/32" dev "$LAB_GW_HOST_VETH"
  nsx "$gwns" ip addr add "$LAB_SECONDARY_IP/32" dev host0
  nsx "$gwns" ip link set host0 up
  nsx "$gwns" ip route add "$(lab_nvar "$node" IP)" dev host0 scope link
  nsx "$gwns" ip route add default via "$(lab_nvar "$node" IP)" dev host0
  az_gateway_host_nat
  az_gateway_netns_nat

  printf '%s\n' "$LAB_GW_PRIVATE_KEY" >"$LAB_STATE/keys/gateway.key"
  az_wg_start "$node" gateway-wg "$LAB_GW_WG_IF" "$LAB_STATE/keys/gateway.key" \
    listen-port "$LAB_SGC_PORT" peer "$LAB_POD_PUBLIC_KEY" allowed-ips "$(lab_pvar "$LAB_POD" IP)/32"
  node_x "$node" ip link set "$LAB_GW_WG_IF" netns "$LAB_GW_NETNS"
  nsx "$gwns" ip link set "$LAB_GW_WG_IF" alias "$LAB_SGC_UID"
  nsx "$gwns" ip link set "$LAB_GW_WG_IF" addrgenmode none
  nsx "$gwns" ip link set "$LAB_GW_WG_IF" up
  nsx "$gwns" ip addr add fe80::1/64 dev "$LAB_GW_WG_IF" nodad
  nsx "$gwns" ip route add "$(lab_pvar "$LAB_POD" IP)" dev "$LAB_GW_WG_IF" scope link

  echo "$LAB_SGC_UID" >"$LAB_STATE/health-uids"
  lab_start health nsenter --mount="$(lab_nvar "$node" DIR)/mnt" --net="/run/netns/$netns" -- \
    python3 "$LAB_HERE/health_server.py" --port "$LAB_HEALTH_PORT" \
    --uids-file "$LAB_STATE/health-uids"
}

az_worker() {
  local node pnetns netns dir hostif podip
  node=$(az_pod_node)
  netns=$(lab_nvar "$node" NETNS)
  dir=$(lab_nvar "$node" DIR)
  pnetns=$(az_pod_netns)
  hostif=$(lab_pvar "$LAB_POD" HOSTIF)
  podip=$(lab_pvar "$LAB_POD" IP)
  # Main CNI (overlay-style): pod eth0 <-> host veth with the pod gateway address.
  lab_netns "$pnetns"
  ns_sysctl "$pnetns" net/ipv6/conf/all/accept_dad=0 net/ipv6/conf/default/accept_dad=0
  ip -n "$netns" link add "$hostif" type veth peer name eth0 netns "$pnetns"
  ip -n "$pnetns" link set eth0 address "$LAB_POD_MAC"
  ip -n "$pnetns" addr add "$podip/${LAB_POD_CIDR#*/}" dev eth0
  ip -n "$pnetns" link set eth0 up
  ip -n "$pnetns" route add default via "$LAB_POD_GW_IP" dev eth0
  ip -n "$netns" addr add "$LAB_POD_GW_IP/32" dev "$hostif"
  ip -n "$netns" link set "$hostif" up
  ip -n "$netns" route add "$podip/32" dev "$hostif" scope link
  lab_bind_netns "$node" "$(lab_pvar "$LAB_POD" NODEVIEW)" "/run/netns/$pnetns"
  cp "$LAB_STATE/cni/10-azure.conflist" "$LAB_STATE/cni/01-egressgateway.conflist" "$dir/cni/"
  # A server in the pod for inbound tests (replies must leave via eth0: fwmark 0x2222).
  lab_start pod-echo nsenter --net="/run/netns/$pnetns" -- python3 "$LAB_HERE/echo_server.py" \
    --bind 0.0.0.0 --port "$LAB_ECHO_PORT" --log "$LAB_STATE/pod-echo.log"
}

az_pod_ingress_rule() {
  ip -n "$(az_pod_netns)" rule add fwmark 0x2222 lookup 8738
}

# kube-egress-cni ADD for the annotated pod (azure.md §2.2), after the gateway is up.
az_pod_cni() {
  local node pnetns cidr
  node=$(az_pod_node)
  pnetns=$(az_pod_netns)
  printf '%s\n' "$LAB_POD_PRIVATE_KEY" >"$LAB_STATE/keys/pod.key"
  az_wg_start "$node" pod-wg wg0 "$LAB_STATE/keys/pod.key" \
    peer "$LAB_GW_PUBLIC_KEY" endpoint "$LAB_ILB_IP:$LAB_SGC_PORT" allowed-ips 0.0.0.0/0,::/0
  node_x "$node" ip link set wg0 netns "$(lab_pvar "$LAB_POD" NODEVIEW)"
  ip -n "$pnetns" link set wg0 alias "$LAB_POD_WG_ALIAS"
  ip -n "$pnetns" link set wg0 addrgenmode none
  ip -n "$pnetns" link set wg0 up
  ip -n "$pnetns" addr add "$LAB_POD_LINK_LOCAL/64" dev wg0 nodad
  # routes.SetPodRoutes: every eth0 route replaced.
  ip -n "$pnetns" route flush dev eth0
  ip -n "$pnetns" route add "$LAB_POD_GW_IP" dev eth0 scope link
  ip -4 -n "$pnetns" route add default via inet6 fe80::1 dev wg0
  for cidr in $LAB_EXCEPTION_CIDRS; do
    ip -n "$pnetns" route add "$cidr" via "$LAB_POD_GW_IP" dev eth0 proto static
  done
  # addRoutingForIngress
  nsx "$pnetns" iptables-restore <<EOF
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -i eth0 -j MARK --set-xmark 0x2222/0xffffffff
-A PREROUTING -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff
-A OUTPUT -m connmark --mark 0x2222 -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff
COMMIT
EOF
  az_pod_ingress_rule
  ip -n "$pnetns" route add default via "$LAB_POD_GW_IP" dev eth0 table 8738
  ns_sysctl "$pnetns" net/ipv4/conf/all/rp_filter=2 net/ipv4/conf/eth0/rp_filter=2
}

az_up() {
  local node netns
  mkdir -p "$LAB_STATE/keys"
  chmod 700 "$LAB_STATE/keys"
  lab_underlay
  ip -n "$LAB_ECHO_NETNS" route add "$LAB_SECONDARY_IP/32" via "$(lab_nvar "$LAB_GW_NODE" IP)" dev eth0
  ip -n "$LAB_ECHO_NETNS" route add "$LAB_POD_CIDR" via "$(lab_nvar "$(az_pod_node)" IP)" dev eth0
  for node in $LAB_NODES; do
    netns=$(lab_nvar "$node" NETNS)
    lab_netns "$netns"
    # AKS (Ubuntu) defaults: forwarding on, loose reverse-path filtering.
    ns_sysctl "$netns" net/ipv4/ip_forward=1 net/ipv4/conf/all/rp_filter=2 \
      net/ipv4/conf/default/rp_filter=2
    lab_attach_underlay "$netns" "p-$node" "$(lab_nvar "$node" IP)"
    ip -n "$netns" route add default via "$LAB_ROUTER_IP" dev eth0
    lab_node_dirs "$node"
  done
  az_gateway
  az_worker
  for node in $LAB_NODES; do
    lab_node_mountns "$node"
  done
  az_gateway_links
  az_pod_cni
  lab_start_echo
  lab_wait 10 nsx "$(lab_nvar "$LAB_GW_NODE" NETNS)" curl -s --max-time 1 \
    "http://127.0.0.1:$LAB_HEALTH_PORT/gw/$LAB_SGC_UID" || lab_die "health server did not start"
}

# az_reconcile: restore the healthy datapath in place (what the daemon and the CNI plugin set
# up). Fails when a WireGuard process or link is gone; repair.sh then rebuilds the lab.
az_reconcile() {
  local gw=$LAB_GW_NODE gwns gwnetns pnetns podip node cfg
  gwns=$(az_gw_netns_path)
  gwnetns=$(lab_nvar "$gw" NETNS)
  pnetns=$(az_pod_netns)
  podip=$(lab_pvar "$LAB_POD" IP)
  node=$(az_pod_node)
  nsx "$gwns" ip link show "$LAB_GW_WG_IF" >/dev/null
  ip -n "$pnetns" link show wg0 >/dev/null
  # Peers are removed and re-added on both sides: that drops stale sessions, so the next packet
  # starts a fresh handshake instead of waiting out WireGuard's rekey timers.
  node_x "$gw" wg set "$LAB_GW_WG_IF" peer "$LAB_POD_PUBLIC_KEY" remove
  node_x "$node" wg set wg0 peer "$LAB_GW_PUBLIC_KEY" remove
  node_x "$gw" wg set "$LAB_GW_WG_IF" listen-port "$LAB_SGC_PORT" \
    peer "$LAB_POD_PUBLIC_KEY" allowed-ips "$podip/32"
  node_x "$node" wg set wg0 peer "$LAB_GW_PUBLIC_KEY" endpoint "$LAB_ILB_IP:$LAB_SGC_PORT" \
    allowed-ips 0.0.0.0/0,::/0
  if [[ $LAB_LAYOUT == legacy ]]; then
    ip -n "$gwnetns" addr replace "$LAB_ILB_IP/$LAB_UNDERLAY_PREFIX" dev eth0
  else
    ip -n "$gwnetns" addr replace "$LAB_ILB_IP/32" dev eth0 label eth0:egress
  fi
  nsx "$gwns" ip route replace default via "$(lab_nvar "$gw" IP)" dev host0
  nsx "$gwns" ip route replace "$podip" dev "$LAB_GW_WG_IF" scope link
  az_gateway_host_nat
  az_gateway_netns_nat
  local uid
  # The lab's SGC uid and the uids a control plane gave the SGC (apply.sh).
  for uid in "$LAB_SGC_UID" $(cat "$LAB_STATE/health-uids.applied" 2>/dev/null); do
    grep -qx "$uid" "$LAB_STATE/health-uids" 2>/dev/null || echo "$uid" >>"$LAB_STATE/health-uids"
  done
  for cfg in "$(lab_nvar "$node" DIR)"/cni/*; do
    [[ -e $LAB_STATE/cni/$(basename "$cfg") ]] || rm -f "$cfg"
  done
  while ip -n "$pnetns" rule del fwmark 0x2222 lookup 8738 2>/dev/null; do :; done
  az_pod_ingress_rule
  ns_sysctl "$pnetns" net/ipv4/conf/all/rp_filter=2 net/ipv4/conf/eth0/rp_filter=2
}

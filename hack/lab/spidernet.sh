# spidernet-io/egressgateway v0.6.9 datapath on lab nodes (sourced by up.sh / fault.sh).
# Facts: shared/reference/spidernet.md §3. Values come from lab.env (rendered by labgen.py).

# spn_ipsets NODE: egress-src/dst sets (src: this node's selected pods, all of them on the EIP
# node; dst: destSubnet) and egress-cluster-cidr-ipv4 from EgressClusterInfo.
spn_ipsets() {
  local node=$1 netns p n script
  netns=$(lab_nvar "$node" NETNS)
  script="create $LAB_SRC_SET hash:net family inet hashsize 1024 maxelem 65536 -exist
create $LAB_DST_SET hash:net family inet hashsize 1024 maxelem 65536 -exist
create egress-cluster-cidr-ipv4 hash:net family inet hashsize 1024 maxelem 65536 -exist
flush $LAB_SRC_SET
flush $LAB_DST_SET
flush egress-cluster-cidr-ipv4
"
  for p in $LAB_PODS; do
    [[ $(lab_pvar "$p" SELECTED) == 1 ]] || continue
    if [[ $node == "$LAB_EIP_NODE" ]] || [[ $(lab_pvar "$p" NODE) == "$node" ]]; then
      script+="add $LAB_SRC_SET $(lab_pvar "$p" IP)"$'\n'
    fi
  done
  for n in $LAB_DEST_SUBNET; do
    script+="add $LAB_DST_SET ${n%/32}"$'\n'
  done
  for n in $LAB_NODES; do
    script+="add egress-cluster-cidr-ipv4 $(lab_nvar "$n" IP)"$'\n'
  done
  script+="add egress-cluster-cidr-ipv4 $LAB_POD_POOL"$'\n'
  script+="add egress-cluster-cidr-ipv4 $LAB_SERVICE_CIDR"$'\n'
  nsx "$netns" ipset restore <<<"$script"
}

# spn_iptables NODE: the agent's tables, exactly as rendered (with egw: hashes) by labgen.py.
spn_iptables() {
  nsx "$(lab_nvar "$1" NETNS)" iptables-restore <"$(lab_nvar "$1" DIR)/iptables.rules"
}

# spn_vxlan NODE [VNI] [PORT]: (re)create egress.vxlan with address, MAC, rp_filter 2, and per
# peer the permanent neighbour, FDB entry, ip rule 99 and table route (spidernet.md §3.5, §3.6).
spn_vxlan() {
  local node=$1 vni=${2:-$LAB_VNI} port=${3:-$LAB_VXLAN_PORT} netns peer mark
  netns=$(lab_nvar "$node" NETNS)
  ip -n "$netns" link del egress.vxlan 2>/dev/null || true
  ip -n "$netns" link add egress.vxlan type vxlan id "$vni" dstport "$port" \
    local "$(lab_nvar "$node" IP)" dev eth0 nolearning
  ip -n "$netns" link set egress.vxlan address "$(lab_nvar "$node" MAC)"
  ip -n "$netns" addr add "$(lab_nvar "$node" TUNNELIP)/$LAB_TUNNEL_PREFIX" dev egress.vxlan
  ip -n "$netns" link set egress.vxlan up
  ns_sysctl "$netns" net/ipv4/conf/egress.vxlan/rp_filter=2
  for peer in $LAB_NODES; do
    [[ $peer == "$node" ]] && continue
    mark=$(lab_nvar "$peer" MARK)
    ip -n "$netns" neigh replace "$(lab_nvar "$peer" TUNNELIP)" lladdr "$(lab_nvar "$peer" MAC)" \
      dev egress.vxlan nud permanent
    bridge -n "$netns" fdb replace "$(lab_nvar "$peer" MAC)" dev egress.vxlan \
      dst "$(lab_nvar "$peer" IP)" self permanent
    ip -n "$netns" rule del priority 99 fwmark "$mark" table $((mark)) 2>/dev/null || true
    ip -n "$netns" rule add priority 99 fwmark "$mark" table $((mark))
    ip -n "$netns" route replace default via "$(lab_nvar "$peer" TUNNELIP)" dev egress.vxlan \
      table $((mark))
  done
}

# spn_node NODE: node netns on the underlay, its pods (Calico-style /32 + proxy ARP), and the
# agent's datapath.
spn_node() {
  local node=$1 netns ip p pnetns hostif peer
  netns=$(lab_nvar "$node" NETNS)
  ip=$(lab_nvar "$node" IP)
  lab_netns "$netns"
  ns_sysctl "$netns" net/ipv4/ip_forward=1 net/ipv4/conf/all/rp_filter=0 \
    net/ipv4/conf/default/rp_filter=0
  lab_attach_underlay "$netns" "p-$node" "$ip"
  ip -n "$netns" route add default via "$LAB_ROUTER_IP" dev eth0
  lab_node_dirs "$node"
  for p in $LAB_PODS; do
    [[ $(lab_pvar "$p" NODE) == "$node" ]] || continue
    pnetns=$(lab_pvar "$p" NETNS)
    hostif=$(lab_pvar "$p" HOSTIF)
    lab_netns "$pnetns"
    ip -n "$netns" link add "$hostif" type veth peer name eth0 netns "$pnetns"
    ip -n "$netns" link set "$hostif" up
    ns_sysctl "$netns" "net/ipv4/conf/$hostif/proxy_arp=1"
    ip -n "$netns" route add "$(lab_pvar "$p" IP)" dev "$hostif" scope link
    ip -n "$pnetns" addr add "$(lab_pvar "$p" IP)/32" dev eth0
    ip -n "$pnetns" link set eth0 up
    ip -n "$pnetns" route add 169.254.1.1 dev eth0 scope link
    ip -n "$pnetns" route add default via 169.254.1.1 dev eth0
    lab_bind_netns "$node" "$(lab_pvar "$p" NODEVIEW)" "/run/netns/$pnetns"
  done
  for peer in $LAB_NODES; do
    [[ $peer == "$node" ]] && continue
    ip -n "$netns" route add "$(lab_nvar "$peer" PODCIDR)" via "$(lab_nvar "$peer" IP)" dev eth0
  done
  spn_ipsets "$node"
  spn_iptables "$node"
  spn_vxlan "$node"
}

spn_up() {
  local node
  lab_underlay
  # The destination routes the EIP back to the node holding it (spidernet answers ARP for it).
  ip -n "$LAB_ECHO_NETNS" route add "$LAB_EIP/32" via "$(lab_nvar "$LAB_EIP_NODE" IP)" dev eth0
  for node in $LAB_NODES; do
    spn_node "$node"
  done
  for node in $LAB_NODES; do
    lab_node_mountns "$node"
  done
  lab_start_echo
}

# spn_reconcile: put every node's agent state back in place without rebuilding namespaces
# (what the agent's reconciles would do: tables, sets, vxlan, neighbours, rules, routes).
spn_reconcile() {
  local node netns
  for node in $LAB_NODES; do
    netns=$(lab_nvar "$node" NETNS)
    while ip -n "$netns" rule del priority 99 2>/dev/null; do :; done
    spn_ipsets "$node"
    spn_iptables "$node"
    spn_vxlan "$node"
  done
}

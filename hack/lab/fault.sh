#!/usr/bin/env bash
# Injects one fault into a running lab: fault.sh NAME
#   fault.sh --list [FLAVOUR]   names, flavour, node(s) touched, change, expected effect
# hack/lab/repair.sh [FLAVOUR] restores the healthy lab. Injected names are appended to
# /run/egressdiag-lab/<flavour>/faults.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$LAB_HERE/spidernet.sh"
source "$LAB_HERE/azure.sh"

case ${1:-} in
  --list) exec python3 "$LAB_GEN" faults ${2:+"$2"} ;;
  -h | --help | "") sed -n '2,5p' "$0"; exit 0 ;;
esac
name=$1
lab_need_root
flavour=$(python3 "$LAB_GEN" faults | awk -v n="$name" '$1 == n {print $2}')
[[ -n $flavour ]] || lab_die "unknown fault '$name' (see fault.sh --list)"
lab_load "$flavour"

spn_n1=""
[[ $flavour != spidernet ]] || spn_n1=$(lab_nvar node1 NETNS)
spn_peer_mark() { lab_nvar "$LAB_EIP_NODE" MARK; }

case $name in
  spn-calico-jump-first)
    # Calico with chainInsertMode Insert: its mangle chain runs first and accepts workload
    # traffic, so EGRESSGATEWAY-MARK-REQUEST never sees it.
    nsx "$spn_n1" iptables -t mangle -N cali-PREROUTING
    nsx "$spn_n1" iptables -t mangle -A cali-PREROUTING -m comment --comment "cali:6gwbT8clXdHdC1b1" \
      -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
    nsx "$spn_n1" iptables -t mangle -A cali-PREROUTING -m comment --comment "cali:lab-workload-accept" \
      -i cali+ -j ACCEPT
    nsx "$spn_n1" iptables -t mangle -I PREROUTING 1 -m comment --comment "cali:6gwbT8clXdHdC1b1" \
      -j cali-PREROUTING
    ;;
  spn-src-ipset-missing-pod)
    nsx "$spn_n1" ipset del "$LAB_SRC_SET" "$(lab_pvar visitor-node1 IP)"
    ;;
  spn-dst-ipset-mismatch)
    nsx "$spn_n1" ipset flush "$LAB_DST_SET"
    nsx "$spn_n1" ipset add "$LAB_DST_SET" 172.16.25.184
    ;;
  spn-mark-wrong)
    nsx "$spn_n1" iptables-save -t mangle |
      sed "s#--set-xmark $(spn_peer_mark)/0xffffffff#--set-xmark 0x26000001/0xffffffff#" |
      nsx "$spn_n1" iptables-restore
    ;;
  spn-ip-rule-missing)
    mark=$(spn_peer_mark)
    ip -n "$spn_n1" rule del priority 99 fwmark "$mark" table $((mark))
    ;;
  spn-route-wrong-gateway)
    ip -n "$spn_n1" route replace default via 192.200.0.250 dev egress.vxlan table $(($(spn_peer_mark)))
    ;;
  spn-vxlan-down)
    ip -n "$spn_n1" link set egress.vxlan down
    ;;
  spn-vxlan-wrong-vni)
    spn_vxlan node1 101
    ;;
  spn-vxlan-wrong-port)
    spn_vxlan node1 "$LAB_VNI" 7790
    ;;
  spn-neigh-missing)
    ip -n "$spn_n1" neigh del "$(lab_nvar "$LAB_EIP_NODE" TUNNELIP)" dev egress.vxlan
    ;;
  spn-fdb-missing)
    bridge -n "$spn_n1" fdb del "$(lab_nvar "$LAB_EIP_NODE" MAC)" dev egress.vxlan \
      dst "$(lab_nvar "$LAB_EIP_NODE" IP)" self
    ;;
  spn-rpfilter-strict)
    ns_sysctl "$spn_n1" net/ipv4/conf/egress.vxlan/rp_filter=1
    ;;
  spn-snat-wrong-eip)
    ns=$(lab_nvar "$LAB_EIP_NODE" NETNS)
    nsx "$ns" iptables-save -t nat | sed "s#--to-source $LAB_EIP#--to-source 172.16.25.190#" |
      nsx "$ns" iptables-restore
    ;;
  spn-snat-jump-not-first)
    nsx "$(lab_nvar "$LAB_EIP_NODE" NETNS)" iptables -t nat -I POSTROUTING 1 -s "$LAB_POD_POOL" \
      ! -d "$LAB_POD_POOL" -m comment --comment "lab: masquerade inserted above egw" -j MASQUERADE
    ;;
  aks-wg-link-missing)
    nsx "$(az_gw_netns_path)" ip link del "$LAB_GW_WG_IF"
    ;;
  aks-wg-wrong-port)
    node_x "$LAB_GW_NODE" wg set "$LAB_GW_WG_IF" listen-port $((LAB_SGC_PORT + 1))
    ;;
  aks-gw-peer-missing)
    node_x "$LAB_GW_NODE" wg set "$LAB_GW_WG_IF" peer "$LAB_POD_PUBLIC_KEY" remove
    ;;
  aks-host0-default-route-missing)
    nsx "$(az_gw_netns_path)" ip route del default
    ;;
  aks-snat-wrong-ip)
    az_gateway_netns_nat 10.243.0.8
    ;;
  aks-ilb-ip-missing)
    ip -n "$(lab_nvar "$LAB_GW_NODE" NETNS)" addr del "$LAB_ILB_IP/$([[ $LAB_LAYOUT == legacy ]] &&
      echo "$LAB_UNDERLAY_PREFIX" || echo 32)" dev eth0
    ;;
  aks-lb-probe-unhealthy)
    : >"$LAB_STATE/health-uids"
    ;;
  aks-cni-conf-shadowed)
    cp "$LAB_STATE/cni/10-azure.conflist" "$(lab_nvar "$(az_pod_node)" DIR)/cni/00-shadow.conflist"
    ;;
  aks-pod-fwmark-rule-missing)
    ip -n "$(az_pod_netns)" rule del fwmark 0x2222 lookup 8738
    ;;
  aks-pod-peer-endpoint-wrong)
    node_x "$(az_pod_node)" wg set wg0 peer "$LAB_GW_PUBLIC_KEY" endpoint "10.243.0.9:$LAB_SGC_PORT"
    ;;
  *) lab_die "fault '$name' is listed but not implemented" ;;
esac
echo "$name" >>"$LAB_STATE/faults"
lab_log "injected $name"

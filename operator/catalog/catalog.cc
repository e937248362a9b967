#include "operator/catalog/catalog.h"

#include <array>

namespace egressdiag::catalog {
namespace {

constexpr std::string_view kComponents = "Components";
constexpr std::string_view kInterference = "Interference";
constexpr std::string_view kControlPlane = "Control plane";
constexpr std::string_view kSpnDatapath = "Datapath, spidernet";
constexpr std::string_view kAksDatapath = "Datapath, Azure";
constexpr std::string_view kEndToEnd = "End to end";

using enum CheckId;
using L = Layer;
using R = RunsIn;

// Order matters: allChecks() is the runbook order, and info() indexes by enum value.
constexpr std::array kChecks = {
    CheckInfo{CmpSpnAgent, "CMP-SPN-AGENT", kComponents, L::Components, R::Operator,
              "DaemonSet egressgateway-agent is ready on every node and not restarting",
              "Describe the egressgateway-agent pods (label "
              "app.kubernetes.io/component=egressgateway-agent) and read their logs; fix image "
              "pulls, crashes or missing privileges until ready equals desired.",
              "000 §1"},
    CheckInfo{CmpSpnController, "CMP-SPN-CONTROLLER", kComponents, L::Components, R::Operator,
              "Deployment egressgateway-controller is available",
              "Restore the egressgateway-controller Deployment: its webhook fails closed, so no "
              "policy can be created or edited while it is down.",
              "000 §1"},
    CheckInfo{CmpAksController, "CMP-AKS-CONTROLLER", kComponents, L::Components, R::Operator,
              "Deployment kube-egress-gateway-controller-manager is available",
              "Read the kube-egress-gateway-controller-manager logs (cloud config, identity, "
              "Azure API errors) and restore the Deployment.",
              "001 controller logs"},
    CheckInfo{CmpAksDaemon, "CMP-AKS-DAEMON", kComponents, L::Components, R::Operator,
              "DaemonSet kube-egress-gateway-daemon-manager is ready on every gateway node",
              "Check that gateway nodes carry label kubeegressgateway.azure.com/mode=true and the "
              "matching toleration, then read the daemon-manager logs on the failing node.",
              "001 GatewayStatus"},
    CheckInfo{
        CmpAksCniMgr, "CMP-AKS-CNIMGR", kComponents, L::Components, R::Operator,
        "DaemonSet kube-egress-gateway-cni-manager is ready on every worker, no cni-not-ready "
        "taint",
        "Restore the cni-manager pod on the node (admission webhooks can reject it); while "
        "it is down every pod sandbox on the node fails because the CNI plugin cannot reach "
        "localhost:50051.",
        "001 pod state; azure #759 #1035"},
    CheckInfo{IntCalicoInsert, "INT-CALICO-INSERT", kInterference, L::ControlPlane, R::Operator,
              "Calico absent, or FelixConfiguration default has chainInsertMode Append",
              "kubectl patch felixconfiguration default --type=merge -p "
              "'{\"spec\":{\"chainInsertMode\":\"Append\"}}' so Calico stops inserting its rules "
              "above the egress gateway's.",
              "000 §2"},
    CheckInfo{SpnHookOrder, "SPN-HOOK-ORDER", kInterference, L::Datapath, R::Node,
              "egw: rules sit first in mangle PREROUTING and nat POSTROUTING; base rules exist",
              "Set Calico chainInsertMode to Append (or stop the component that inserts above "
              "egw: rules), then restart the egressgateway-agent on the node: it re-inserts its "
              "rules only on reconcile (30 min resync).",
              "000 §2 §4; spidernet #198 #1683"},
    CheckInfo{SpnIptReadable, "SPN-IPT-READABLE", kInterference, L::Datapath, R::Node,
              "iptables-save of the backend in use works and egress rules are not split between "
              "legacy and nft",
              "Use one iptables backend on the node (iptables.backendMode in the agent config) and "
              "remove nft rules iptables-nft cannot represent; then restart the agent.",
              "spidernet #1622"},
    CheckInfo{SpnGateway, "SPN-GATEWAY", kControlPlane, L::ControlPlane, R::Operator,
              "the policy's EgressGateway lists the policy's node as Ready",
              "Fix the EgressGateway nodeSelector or the node's EgressTunnel so the EIP node is "
              "Ready in status.nodeList.",
              "000 §4"},
    CheckInfo{SpnPolicyStatus, "SPN-POLICY-STATUS", kControlPlane, L::ControlPlane, R::Operator,
              "policy status.node is set and status.eip is set unless useNodeIP",
              "Check the gateway's ippools have a free IP and a Ready node; read the "
              "egressgateway-controller logs.",
              "000 §4"},
    CheckInfo{SpnTunnels, "SPN-TUNNELS", kControlPlane, L::ControlPlane, R::Operator,
              "every EgressTunnel is Ready with a valid unique mark, deterministic MAC, tunnel IP "
              "and parent",
              "Read the egressgateway-agent log on the node of the failing EgressTunnel (parent "
              "detection, tunnel subnet exhaustion); set tunnelDetectMethod for multi-NIC nodes.",
              "000 §3"},
    CheckInfo{SpnEndpoints, "SPN-ENDPOINTS", kControlPlane, L::ControlPlane, R::Operator,
              "the policy's EgressEndpointSlices list exactly its selected running pods",
              "Upgrade to egressgateway v0.6.8 or later (endpoint create/move fixes) or re-apply "
              "the policy to rebuild its EgressEndpointSlices.",
              "spidernet #1695 #1719"},
    CheckInfo{SpnClusterCidr, "SPN-CLUSTER-CIDR", kControlPlane, L::ControlPlane, R::Operator,
              "EgressClusterInfo covers node IPs, pod CIDRs and the service CIDR",
              "Add the missing pod and service CIDRs to EgressClusterInfo default spec.extraCidr "
              "(auto-detection only reads Calico IPPools).",
              "spidernet #2086"},
    CheckInfo{
        AksSgcStatus, "AKS-SGC-STATUS", kControlPlane, L::ControlPlane, R::Operator,
        "StaticGatewayConfiguration status has egressIpPrefix and a full gatewayServerProfile",
        "kubectl describe the StaticGatewayConfiguration and read its Warning events and the "
        "controller-manager log (identity, VMSS update, quota).",
        "001 SGC status"},
    CheckInfo{AksSgcKey, "AKS-SGC-KEY", kControlPlane, L::ControlPlane, R::Operator,
              "the private key Secret matches status.gatewayServerProfile.publicKey",
              "Delete the sgw-<uid> Secret so the controller regenerates the key pair, then "
              "restart annotated pods.",
              "001 SGC status"},
    CheckInfo{AksVmConfig, "AKS-VMCONFIG", kControlPlane, L::ControlPlane, R::Operator,
              "GatewayLBConfiguration and GatewayVMConfiguration exist with a profile per gateway "
              "node",
              "Read the GatewayVMConfiguration events on the SGC; a VMSS model change may have "
              "stripped the egress ipconfig (fixed by the 5 min requeue in v0.1.8).",
              "azure §1"},
    CheckInfo{AksGwStatus, "AKS-GWSTATUS", kControlPlane, L::ControlPlane, R::Operator,
              "a GatewayStatus per gateway node lists the SGC as ready",
              "Read the kube-egress-gateway-daemon-manager log on that gateway node.",
              "001 GatewayStatus"},
    CheckInfo{AksPodEndpoint, "AKS-PODENDPOINT", kControlPlane, L::ControlPlane, R::Operator,
              "every running annotated pod has a matching PodEndpoint",
              "Restart the pod so the CNI plugin runs again, and read the cni-manager log on its "
              "node.",
              "001 PodEndpoint"},
    CheckInfo{AksPeersReady, "AKS-PEERS-READY", kControlPlane, L::ControlPlane, R::Operator,
              "GatewayStatus readyPeerConfigurations lists each PodEndpoint with its key",
              "Read the daemon-manager log on the gateway node; the PodEndpoint controller has not "
              "configured the peer.",
              "001 gateway peers"},
    CheckInfo{SpnIpsetSrc, "SPN-IPSET-SRC", kSpnDatapath, L::Datapath, R::Node,
              "egress-src-v4-<sha1> exists as hash:net with the expected pod IPs",
              "Restart the egressgateway-agent on the node (ipsets are rebuilt on reconcile); if "
              "pods are missing, check the policy's EgressEndpointSlices (SPN-ENDPOINTS).",
              "000 §4"},
    CheckInfo{SpnIpsetDst, "SPN-IPSET-DST", kSpnDatapath, L::Datapath, R::Node,
              "egress-dst-v4-<sha1> equals destSubnet (or egress-cluster-cidr-ipv4 holds the "
              "cluster CIDRs)",
              "Restart the egressgateway-agent on the node; without destSubnet, add the missing "
              "CIDRs to EgressClusterInfo spec.extraCidr.",
              "000 §4"},
    CheckInfo{SpnMarkRule, "SPN-MARK-RULE", kSpnDatapath, L::Datapath, R::Node,
              "MARK-REQUEST marks the policy's traffic with the EIP node's tunnel mark",
              "Restart the egressgateway-agent on the node to rebuild EGRESSGATEWAY-MARK-REQUEST; "
              "check the EIP node's EgressTunnel has a mark.",
              "000 §4"},
    CheckInfo{SpnSnatRule, "SPN-SNAT-RULE", kSpnDatapath, L::Datapath, R::Node,
              "on the EIP node SNAT-EIP SNATs the policy's traffic to the EIP",
              "Restart the egressgateway-agent on the EIP node to rebuild EGRESSGATEWAY-SNAT-EIP.",
              "000 §4"},
    CheckInfo{SpnReplyRouting, "SPN-REPLY-ROUTING", kSpnDatapath, L::Datapath, R::Node,
              "REPLY-ROUTING has three rules per peer tunnel and the restore rule",
              "Restart the egressgateway-agent on the gateway node to rebuild "
              "EGRESSGATEWAY-REPLY-ROUTING; replies otherwise do not find their way back.",
              "spidernet §3.3"},
    CheckInfo{SpnIpRule, "SPN-IP-RULE", kSpnDatapath, L::Datapath, R::Node,
              "ip rule 99 fwmark <mark> lookup <mark> for every peer tunnel, no stale 0x26 rules",
              "The agent re-adds rules every 10 s: if they stay missing, check the agent is "
              "running; remove rules of other tools that use priority 99 or 0x26 marks.",
              "000 §4"},
    CheckInfo{SpnRoute, "SPN-ROUTE", kSpnDatapath, L::Datapath, R::Node,
              "table <mark> has default via the peer tunnel IP dev egress.vxlan",
              "The agent re-adds routes every 10 s: if they stay missing, check the agent is "
              "running and egress.vxlan exists.",
              "000 §4"},
    CheckInfo{SpnVxlan, "SPN-VXLAN", kSpnDatapath, L::Tunnel, R::Node,
              "egress.vxlan is a vxlan with VNI 100, dstport 7789, local = parent IP, up, with the "
              "tunnel IP",
              "Check the agent log for 'failed to get parent' / 'ensure vxlan link'; set "
              "tunnelDetectMethod to the right NIC and allow UDP 7789 between nodes.",
              "000 §3"},
    CheckInfo{SpnNeigh, "SPN-NEIGH", kSpnDatapath, L::Tunnel, R::Node,
              "a permanent neighbour and an FDB entry per peer tunnel on egress.vxlan",
              "The agent re-adds neighbours every 10 s: if they stay missing, check the agent is "
              "running and the peer's EgressTunnel has MAC and parent IP.",
              "spidernet §3.6"},
    CheckInfo{SpnRpFilter, "SPN-RPFILTER", kSpnDatapath, L::Tunnel, R::Node,
              "effective rp_filter of egress.vxlan is not strict (1)",
              "sysctl -w net.ipv4.conf.egress.vxlan.rp_filter=2 and net.ipv4.conf.all.rp_filter=0 "
              "or 2 (egressgateway v0.6.6+ sets the device to 2).",
              "spidernet #1797"},
    CheckInfo{SpnTunnelPing, "SPN-TUNNEL-PING", kSpnDatapath, L::Tunnel, R::Node,
              "every peer tunnel IP answers ICMP echo over egress.vxlan",
              "Check UDP 7789 is allowed between the nodes' parent IPs, the MTU fits, and "
              "rp_filter on the peer; ping the peer's parent IP.",
              "000 §3"},
    CheckInfo{SpnEipArp, "SPN-EIP-ARP", kSpnDatapath, L::Datapath, R::Node,
              "ARP for the EIP is answered by the EIP node",
              "Check the EIP node's agent announces the EIP (interfaces excluded by "
              "announcedInterfacesToExclude get no responder).",
              "spidernet §3.8"},
    CheckInfo{AksGwNetns, "AKS-GW-NETNS", kAksDatapath, L::Datapath, R::Node,
              "the gateway network namespace exists",
              "Restart the kube-egress-gateway-daemon-manager pod on the node: its ip-netns-add "
              "init container creates the namespace.",
              "001 login to node"},
    CheckInfo{AksGwHost, "AKS-GW-HOST", kAksDatapath, L::Datapath, R::Node,
              "ILB IP on eth0, host-gateway up with the secondary IP route, host nat chains",
              "Restart the daemon-manager on the node to re-run the SGC reconcile; remove a "
              "leftover secondary IP from eth0.",
              "azure §2.1"},
    CheckInfo{AksGwWg, "AKS-GW-WG", kAksDatapath, L::Tunnel, R::Node,
              "the gateway WireGuard link is up with fe80::1/64, the status port and public key",
              "Restart the daemon-manager on the node; if the key differs, check the sgw-<uid> "
              "Secret (AKS-SGC-KEY).",
              "001 wg"},
    CheckInfo{AksGwPeers, "AKS-GW-PEERS", kAksDatapath, L::Tunnel, R::Node,
              "gateway WireGuard peers equal the SGC's PodEndpoints",
              "Restart the daemon-manager on the node so the PodEndpoint controller re-adds "
              "peers; restart pods whose PodEndpoint is missing.",
              "001 gateway peers"},
    CheckInfo{AksGwRoutes, "AKS-GW-ROUTES", kAksDatapath, L::Datapath, R::Node,
              "gateway netns routes via host0 and per-peer routes on the wg link; ip_forward = 1",
              "Restart the daemon-manager on the node; enable net.ipv4.ip_forward in the gateway "
              "namespace.",
              "001 ip route"},
    CheckInfo{AksGwNat, "AKS-GW-NAT", kAksDatapath, L::Datapath, R::Node,
              "gateway netns nat marks wg ingress and SNATs to the secondary IP",
              "Restart the daemon-manager on the node to rewrite the gateway namespace's nat "
              "chains.",
              "001 iptables-save"},
    CheckInfo{AksLbProbe, "AKS-LB-PROBE", kAksDatapath, L::Datapath, R::Node,
              "GET http://<node>:8082/gw/<SGC uid> answers 200",
              "The daemon answers 503 until it has reconciled the SGC: read the daemon-manager "
              "log; the ILB sends no traffic to this node meanwhile.",
              "001 LB health probe"},
    CheckInfo{AksCniConf, "AKS-CNI-CONF", kAksDatapath, L::Datapath, R::Node,
              "01-egressgateway.conflist exists, sorts first, has kube-egress-cni at plugins[1]",
              "Restart the cni-manager pod on the node to regenerate the conflist; remove CNI "
              "files that sort before it.",
              "001 pod state"},
    CheckInfo{AksPodWg, "AKS-POD-WG", kAksDatapath, L::Tunnel, R::Node,
              "each annotated pod has wg0 peered with the gateway",
              "Restart the pod: the CNI plugin configures wg0 only at sandbox creation.",
              "001 pod netns"},
    CheckInfo{AksPodRoutes, "AKS-POD-ROUTES", kAksDatapath, L::Datapath, R::Node,
              "each annotated pod routes default via wg0 and keeps its ingress mark rules",
              "Restart the pod: the CNI plugin sets routes, rules and mangle marks only at "
              "sandbox creation.",
              "001 pod netns"},
    CheckInfo{E2eSourceIp, "E2E-SOURCE-IP", kEndToEnd, L::EndToEnd, R::Node,
              "the echo endpoint sees the expected egress IP from a selected pod",
              "Follow the first failing check above; if all pass, check the cloud or firewall "
              "between the egress node and the destination.",
              "000 §5; 001 curl"},
    CheckInfo{E2eRouteGet, "E2E-ROUTE-GET", kEndToEnd, L::EndToEnd, R::Node,
              "on the egress node the route to the destination leaves through the expected "
              "interface",
              "Fix the egress node's routing so the destination leaves through the interface that "
              "carries the EIP's subnet.",
              "000 §5"},
};

}  // namespace

std::span<const CheckInfo> allChecks() {
  return kChecks;
}

const CheckInfo& info(CheckId id) {
  return kChecks[static_cast<size_t>(id)];
}

std::optional<CheckId> parseCheckId(std::string_view name) {
  for (const CheckInfo& check : kChecks) {
    if (check.name == name) {
      return check.id;
    }
  }
  return std::nullopt;
}

std::string_view toString(CheckId id) {
  return info(id).name;
}

std::string_view toString(Layer layer) {
  switch (layer) {
    case Layer::Components:
      return "Components";
    case Layer::ControlPlane:
      return "ControlPlane";
    case Layer::Datapath:
      return "Datapath";
    case Layer::Tunnel:
      return "Tunnel";
    case Layer::EndToEnd:
      return "EndToEnd";
  }
  return "Unknown";
}

std::string_view toString(Status status) {
  switch (status) {
    case Status::Pass:
      return "Pass";
    case Status::Fail:
      return "Fail";
    case Status::Warn:
      return "Warn";
    case Status::Unknown:
      return "Unknown";
    case Status::Skipped:
      return "Skipped";
  }
  return "Unknown";
}

std::string_view toString(RunsIn runsIn) {
  return runsIn == RunsIn::Node ? "node" : "op";
}

std::optional<Layer> parseLayer(std::string_view name) {
  for (Layer layer :
       {Layer::Components, Layer::ControlPlane, Layer::Datapath, Layer::Tunnel, Layer::EndToEnd}) {
    if (toString(layer) == name) {
      return layer;
    }
  }
  return std::nullopt;
}

std::optional<Status> parseStatus(std::string_view name) {
  for (Status status :
       {Status::Pass, Status::Fail, Status::Warn, Status::Unknown, Status::Skipped}) {
    if (toString(status) == name) {
      return status;
    }
  }
  return std::nullopt;
}

}  // namespace egressdiag::catalog

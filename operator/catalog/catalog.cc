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
    CheckInfo{
        .id = CmpSpnAgent,
        .name = "CMP-SPN-AGENT",
        .section = kComponents,
        .layer = L::Components,
        .runsIn = R::Operator,
        .title = "DaemonSet egressgateway-agent is ready on every node and not restarting",
        .why = "The agent is the only component that writes a node's egress datapath: the ipsets, "
               "the mark and SNAT rules, the policy routes into egress.vxlan and, on the node that "
               "holds an EIP, the user-space ARP responder for that EIP. Where it is not running, "
               "the node keeps whatever state it had, stops following pod and policy changes, and "
               "nothing answers ARP for an EIP it holds once the router's ARP cache expires, so "
               "replies no longer reach the gateway.",
        .evidence = "One line per problem: the DaemonSet with its ready and desired pod counts "
                    "(for example `agent DaemonSet kube-system/egressgateway-agent: 2/3 pods "
                    "ready`), or a pod and container that is not ready after repeated restarts, "
                    "grouped by the node it runs on. Pods are found by the label "
                    "`app.kubernetes.io/component=egressgateway-agent` in any namespace.",
        .remediation = "Describe the egressgateway-agent pods (label "
                       "app.kubernetes.io/component=egressgateway-agent) and read their logs; fix "
                       "image pulls, crashes or missing privileges until ready equals desired.",
        .source = "000 §1"},
    CheckInfo{
        .id = CmpSpnController,
        .name = "CMP-SPN-CONTROLLER",
        .section = kComponents,
        .layer = L::Components,
        .runsIn = R::Operator,
        .title = "Deployment egressgateway-controller is available",
        .why = "The controller allocates EIPs and tunnel marks, assigns each policy to a gateway "
               "node and moves EIPs away from nodes whose tunnel is not Ready. It also serves the "
               "admission webhook with failurePolicy Fail: while it is down no EgressPolicy or "
               "EgressGateway can be created, changed or deleted, and a failed gateway node keeps "
               "its EIPs.",
        .evidence =
            "The Deployment with available and desired replicas and the reason of its Available "
            "condition (for example `0/1 replicas available (MinimumReplicasUnavailable)`), or a "
            "line saying no Deployment egressgateway-controller was found.",
        .remediation = "Restore the egressgateway-controller Deployment: its webhook fails closed, "
                       "so no policy can be created or edited while it is down.",
        .source = "000 §1"},
    CheckInfo{
        .id = CmpAksController,
        .name = "CMP-AKS-CONTROLLER",
        .section = kComponents,
        .layer = L::Components,
        .runsIn = R::Operator,
        .title = "Deployment kube-egress-gateway-controller-manager is available",
        .why = "The controller-manager turns each StaticGatewayConfiguration into Azure resources "
               "(internal load balancer rule and health probe, the egress ipconfig on the gateway "
               "VMSS, the public IP prefix) and a WireGuard key pair. Without it new "
               "configurations never get a status, so pods annotated for them stay in "
               "ContainerCreating, and Azure-side drift such as a VMSS model update that strips "
               "the egress ipconfig is not repaired.",
        .evidence =
            "The Deployment kube-egress-gateway-controller-manager (found by label "
            "`kube-egress-gateway-control-plane=controller-manager`) with available and desired "
            "replicas and its Available condition reason, or a line saying none was found.",
        .remediation = "Read the kube-egress-gateway-controller-manager logs (cloud config, "
                       "identity, Azure API errors) and restore the Deployment.",
        .source = "001 controller logs"},
    CheckInfo{
        .id = CmpAksDaemon,
        .name = "CMP-AKS-DAEMON",
        .section = kComponents,
        .layer = L::Components,
        .runsIn = R::Operator,
        .title = "DaemonSet kube-egress-gateway-daemon-manager is ready on every gateway node",
        .why = "The daemon-manager builds the gateway side of every node: the gateway network "
               "namespace, one WireGuard interface per configuration, the SNAT to the node's "
               "secondary IP, a peer per pod, and the HTTP endpoint the Azure load balancer "
               "probes. Where it is not running that endpoint stops answering, so the load "
               "balancer takes the node out of rotation; on every gateway node at once, annotated "
               "pods have no gateway, and new pods never become peers.",
        .evidence = "The DaemonSet with its ready and desired pod counts, or a pod and container "
                    "not ready after repeated restarts with the node it runs on.",
        .remediation =
            "Check that gateway nodes carry label kubeegressgateway.azure.com/mode=true and the "
            "matching toleration, then read the daemon-manager logs on the failing node.",
        .source = "001 GatewayStatus"},
    CheckInfo{
        .id = CmpAksCniMgr,
        .name = "CMP-AKS-CNIMGR",
        .section = kComponents,
        .layer = L::Components,
        .runsIn = R::Operator,
        .title = "DaemonSet kube-egress-gateway-cni-manager is ready on every worker, no "
                 "cni-not-ready taint",
        .why = "Once its CNI config is installed, the kube-egress-cni plugin runs for every pod "
               "created on the node, annotated or not, and first asks the local cni-manager "
               "(localhost:50051) about the pod. With cni-manager down every new pod sandbox on "
               "that node fails, not only the annotated ones. cni-manager is also the only "
               "component that removes the cni-not-ready taint and that creates PodEndpoints.",
        .evidence = "The DaemonSet with its ready and desired pod counts, crash-looping "
                    "containers, and each node still carrying the taint "
                    "`egressgateway.kubernetes.azure.com/cni-not-ready` with its effect.",
        .remediation = "Restore the cni-manager pod on the node (admission webhooks can reject "
                       "it); while it is down every pod sandbox on the node fails because the CNI "
                       "plugin cannot reach localhost:50051.",
        .source = "001 pod state; azure #759 #1035"},
    CheckInfo{
        .id = IntCalicoInsert,
        .name = "INT-CALICO-INSERT",
        .section = kInterference,
        .layer = L::ControlPlane,
        .runsIn = R::Operator,
        .title = "Calico absent, or FelixConfiguration default has chainInsertMode Append",
        .why = "In its default Insert mode Felix keeps its own jumps at the top of the kernel hook "
               "chains and puts them back when they move. Calico's chains can then accept pod "
               "traffic in mangle PREROUTING before the egress gateway's mark rule sees it: the "
               "packet is never marked, takes the main routing table and leaves through the node's "
               "own interface with the node IP instead of the EIP.",
        .evidence = "FelixConfiguration default and its `spec.chainInsertMode` (empty means "
                    "Insert), or a Warn saying Calico is installed (crd.projectcalico.org) but "
                    "FelixConfiguration default does not exist.",
        .remediation = "kubectl patch felixconfiguration default --type=merge -p "
                       "'{\"spec\":{\"chainInsertMode\":\"Append\"}}' so Calico stops inserting "
                       "its rules above the egress gateway's.",
        .source = "000 §2"},
    CheckInfo{
        .id = SpnHookOrder,
        .name = "SPN-HOOK-ORDER",
        .section = kInterference,
        .layer = L::Datapath,
        .runsIn = R::Node,
        .title = "egw: rules sit first in mangle PREROUTING and nat POSTROUTING; base rules exist",
        .why = "Steering works only if the agent's `egw:` rules run first. In mangle PREROUTING "
               "the jump to EGRESSGATEWAY-MARK-REQUEST marks policy traffic and the ACCEPT after "
               "it keeps later rules from touching marked packets; in nat POSTROUTING the jump to "
               "EGRESSGATEWAY-SNAT-EIP and its ACCEPT keep the CNI's or kube-proxy's MASQUERADE "
               "away from tunnel traffic. A foreign rule above them (a `cali-` jump, for example) "
               "can accept or masquerade the packet first, so it leaves with the node IP. The "
               "agent restores the order only on its next reconcile, which can be 30 minutes away.",
        .evidence =
            "For each hook chain that is wrong: `# iptables -t <table> -S <chain>` followed by the "
            "first rules of the chain as iptables-save lines; the message names the missing `egw:` "
            "rule (hash and arguments) or quotes the foreign rule above it. A foreign rule above "
            "the base rules in the other hooks (mangle FORWARD and POSTROUTING, filter FORWARD and "
            "OUTPUT, nat PREROUTING) is a Warn.",
        .remediation = "Set Calico chainInsertMode to Append (or stop the component that inserts "
                       "above egw: rules), then restart the egressgateway-agent on the node: it "
                       "re-inserts its rules only on reconcile (30 min resync).",
        .source = "000 §2 §4; spidernet #198 #1683"},
    CheckInfo{
        .id = SpnIptReadable,
        .name = "SPN-IPT-READABLE",
        .section = kInterference,
        .layer = L::Datapath,
        .runsIn = R::Node,
        .title = "iptables-save of the backend in use works and egress rules are not split between "
                 "legacy and nft",
        .why = "The agent writes its rules with iptables-save and iptables-restore. When a table "
               "holds nft rules that iptables-nft cannot represent, iptables-save prints an "
               "\"incompatible, use 'nft' tool\" banner and the agent abandons the whole apply, so "
               "no egress rule is written or repaired on the node. When egress rules exist in both "
               "the legacy and the nft backend, the agent maintains only the backend it picked at "
               "start; the stale copy in the other one still runs in the kernel and can mark or "
               "SNAT traffic the old way.",
        .evidence = "The ``# Table `<name>' is incompatible, use 'nft' tool.`` line of each "
                    "unreadable table, or a message that egress rules were found in both backends.",
        .remediation =
            "Use one iptables backend on the node (iptables.backendMode in the agent config) and "
            "remove nft rules iptables-nft cannot represent; then restart the agent.",
        .source = "spidernet #1622"},
    CheckInfo{
        .id = SpnGateway,
        .name = "SPN-GATEWAY",
        .section = kControlPlane,
        .layer = L::ControlPlane,
        .runsIn = R::Operator,
        .title = "the policy's EgressGateway lists the policy's node as Ready",
        .why = "The controller places EIPs only on nodes that the EgressGateway lists in "
               "status.nodeList, and uses the listed status to move them away from broken nodes. A "
               "policy whose status.node is missing from that list, or listed but not Ready, still "
               "has every other node marking its traffic towards that node's tunnel, where no "
               "working agent SNATs it; when no listed node is Ready the controller has nowhere to "
               "move the EIP.",
        .evidence = "The policy's `spec.egressGatewayName` and `status.node`, and the gateway's "
                    "`status.nodeList` entry for that node with its status (for example "
                    "`EgressGateway default lists node node2 as NotReady, want Ready`), or a line "
                    "saying the gateway does not exist or does not list the node.",
        .remediation = "Fix the EgressGateway nodeSelector or the node's EgressTunnel so the EIP "
                       "node is Ready in status.nodeList.",
        .source = "000 §4"},
    CheckInfo{
        .id = SpnPolicyStatus,
        .name = "SPN-POLICY-STATUS",
        .section = kControlPlane,
        .layer = L::ControlPlane,
        .runsIn = R::Operator,
        .title = "policy status.node is set and status.eip is set unless useNodeIP",
        .why = "Every agent builds its rules from the policy status: status.node names the node "
               "whose tunnel mark the other nodes set and where SNAT happens, and status.eip.ipv4 "
               "is the address SNAT writes. While either is empty the agents write no mark or SNAT "
               "rule for the policy, and its pods leave with their own node's IP.",
        .evidence = "The empty or differing status fields: `policy default/test has no "
                    "status.node`, `has no status.eip.ipv4`, or, when spec.egressIP names an "
                    "address, `asks for EIP A but status has B`.",
        .remediation = "Check the gateway's ippools have a free IP and a Ready node; read the "
                       "egressgateway-controller logs.",
        .source = "000 §4"},
    CheckInfo{
        .id = SpnTunnels,
        .name = "SPN-TUNNELS",
        .section = kControlPlane,
        .layer = L::ControlPlane,
        .runsIn = R::Operator,
        .title = "every EgressTunnel is Ready with a valid unique mark, deterministic MAC, tunnel "
                 "IP and parent, and a fresh heartbeat when failover is on",
        .why = "An EgressTunnel carries what every other node needs to reach that node: the mark "
               "that selects its routing table, its tunnel IP (the next hop in that table), its "
               "MAC and its parent IP (for the neighbour and FDB entries on egress.vxlan). A "
               "tunnel that is not Ready or lacks one of these gets no ip rule, route or neighbour "
               "on its peers, so traffic for EIPs it holds never reaches it. Two nodes sharing a "
               "mark share one routing table, so one of them receives the other's egress traffic. "
               "With gatewayFailover on (ConfigMap egressgateway, conf.yml) the agent renews "
               "status.lastHeartbeatTime every tunnelUpdatePeriod; a heartbeat older than "
               "eipEvictionTimeout means the agent is dead or stuck, and the controller moves "
               "that node's EIPs away (or, if the phase still says Ready, is not running). With "
               "failover off the heartbeat is never renewed and is not checked.",
        .evidence =
            "One line per problem, grouped by node: `EgressTunnel node2: phase HeartbeatTimeout, "
            "want Ready`, a mark that is not `0x26xxxxxx` or is shared with another node, a MAC "
            "other than `66:` followed by the first five bytes of sha1(node name + \"egress\"), a "
            "missing tunnel IP or parent, a Node with no EgressTunnel, or `lastHeartbeatTime ... "
            "is 42 s old, want within gatewayFailover.eipEvictionTimeout 15 s`. A Warn "
            "(FailoverConfigMissing, FailoverConfigInvalid) when conf.yml cannot be read, so "
            "whether heartbeats matter is unknown.",
        .remediation =
            "Read the egressgateway-agent log on the node of the failing EgressTunnel (parent "
            "detection, tunnel subnet exhaustion); set tunnelDetectMethod for multi-NIC nodes. "
            "A stale heartbeat: check that the node's agent pod runs and can reach the API "
            "server, and that the egressgateway-controller runs.",
        .source = "000 §3"},
    CheckInfo{
        .id = SpnEndpoints,
        .name = "SPN-ENDPOINTS",
        .section = kControlPlane,
        .layer = L::ControlPlane,
        .runsIn = R::Operator,
        .title = "the policy's EgressEndpointSlices list exactly its selected running pods",
        .why =
            "Agents fill a policy's source ipset from its EgressEndpointSlices, not from the pods "
            "themselves. A selected pod missing from the slices is never marked or SNATed and "
            "leaves with its node IP; an entry with an old IP or node (after a restart or a move) "
            "steers the wrong address; a listed pod that the policy no longer selects keeps using "
            "the EIP. Agents before v0.6.8 missed slice creations and pod moves, and before v0.6.7 "
            "merged the slices of same-named policies in different namespaces.",
        .evidence =
            "One line per pod: selected but in no slice (`pod default/visitor-0 (10.200.0.22 on "
            "node1) is selected but not in any EgressEndpointSlice`), listed with an old IP or "
            "node, or listed although it is not a running pod the policy selects.",
        .remediation = "Upgrade to egressgateway v0.6.8 or later (endpoint create/move fixes) or "
                       "re-apply the policy to rebuild its EgressEndpointSlices.",
        .source = "spidernet #1695 #1719"},
    CheckInfo{
        .id = SpnClusterCidr,
        .name = "SPN-CLUSTER-CIDR",
        .section = kControlPlane,
        .layer = L::ControlPlane,
        .runsIn = R::Operator,
        .title = "EgressClusterInfo covers node IPs, pod CIDRs and the service CIDR",
        .why = "A policy without destSubnet steers everything that is not inside the cluster, and "
               "\"inside\" means the egress-cluster-cidr-ipv4 ipset built from EgressClusterInfo. "
               "A node IP, pod CIDR or service CIDR missing there counts as external: pod-to-pod, "
               "pod-to-service and DNS traffic is marked, tunnelled to the gateway and SNATed, and "
               "breaks. Auto-detection reads pod CIDRs only from Calico IPPools and the service "
               "CIDR only from a visible kube-controller-manager pod, so clusters with other CNIs "
               "or a managed control plane are often incomplete.",
        .evidence = "What EgressClusterInfo default lacks: a node's InternalIP missing from "
                    "`status.nodeIP`, a node's pod CIDR in neither `status.podCIDR` nor "
                    "`spec.extraCidr` (with the podCidrMode), an empty `status.clusterIP`, or the "
                    "object missing altogether.",
        .remediation = "Add the missing pod and service CIDRs to EgressClusterInfo default "
                       "spec.extraCidr (auto-detection only reads Calico IPPools).",
        .source = "spidernet #2086"},
    CheckInfo{
        .id = AksSgcStatus,
        .name = "AKS-SGC-STATUS",
        .section = kControlPlane,
        .layer = L::ControlPlane,
        .runsIn = R::Operator,
        .title =
            "StaticGatewayConfiguration status has egressIpPrefix and a full gatewayServerProfile",
        .why =
            "Nothing on the pod or gateway side starts until the controller has published the "
            "gateway in the status. cni-manager refuses new annotated pods while egressIpPrefix is "
            "empty (\"the egress IP prefix is not ready yet\", the pod stays in "
            "ContainerCreating), and the daemon ignores the configuration until the ILB IP, the "
            "port, the public key and the key Secret reference are all set. A Warning event newer "
            "than the last success means the latest reconcile of the Azure resources failed.",
        .evidence = "The status fields that are empty (for example `status lacks egressIpPrefix, "
                    "gatewayServerProfile.publicKey`), a port outside [6000,7000), or the newest "
                    "Warning event on the configuration (reason and the start of its message) when "
                    "it is newer than the last Normal event.",
        .remediation = "kubectl describe the StaticGatewayConfiguration and read its Warning "
                       "events and the controller-manager log (identity, VMSS update, quota).",
        .source = "001 SGC status"},
    CheckInfo{
        .id = AksSgcKey,
        .name = "AKS-SGC-KEY",
        .section = kControlPlane,
        .layer = L::ControlPlane,
        .runsIn = R::Operator,
        .title = "the private key Secret matches status.gatewayServerProfile.publicKey",
        .why = "Pods are configured to encrypt to the public key in "
               "status.gatewayServerProfile.publicKey, while the gateway's WireGuard interface "
               "uses the private key from the referenced Secret. If the two do not form a pair, "
               "the gateway cannot complete any pod's handshake and every annotated pod of the "
               "configuration loses egress.",
        .evidence = "The Secret named by `privateKeySecretRef` and what is wrong with it: missing, "
                    "no `data.PrivateKey`, not a valid WireGuard key, or a derived public key "
                    "different from the status (both keys are printed). Unknown while the status "
                    "has no key yet. A Secret the operator may not read is Unknown "
                    "`SecretForbidden` (other read errors: `SecretUnreadable`) with the API "
                    "error, never a false `SecretNotFound`.",
        .remediation = "Delete the sgw-<uid> Secret so the controller regenerates the key pair, "
                       "then restart annotated pods.",
        .source = "001 SGC status"},
    CheckInfo{
        .id = AksVmConfig,
        .name = "AKS-VMCONFIG",
        .section = kControlPlane,
        .layer = L::ControlPlane,
        .runsIn = R::Operator,
        .title = "GatewayLBConfiguration and GatewayVMConfiguration exist with a profile per "
                 "gateway node",
        .why = "The GatewayVMConfiguration records, for each gateway node, its primary IP and the "
               "secondary IP that the gateway SNATs to and that Azure maps to the egress public "
               "IP. A missing object or node entry means the Azure side (load balancer rule, "
               "egress ipconfig, public IP) was not provisioned for that node, so the daemon has "
               "no address to SNAT to and the node cannot carry the configuration's traffic.",
        .evidence =
            "Which object is missing (GatewayLBConfiguration or GatewayVMConfiguration with the "
            "configuration's namespace and name), that no node is labelled as a gateway node, or "
            "per node a missing `gatewayVMProfiles` entry or one without primaryIP or secondaryIP.",
        .remediation = "Read the GatewayVMConfiguration events on the SGC; a VMSS model change may "
                       "have stripped the egress ipconfig (fixed by the 5 min requeue in v0.1.8).",
        .source = "azure §1"},
    CheckInfo{
        .id = AksGwStatus,
        .name = "AKS-GWSTATUS",
        .section = kControlPlane,
        .layer = L::ControlPlane,
        .runsIn = R::Operator,
        .title = "a GatewayStatus per gateway node lists the SGC as ready",
        .why = "The daemon adds the configuration to its node's GatewayStatus after it has built "
               "the gateway interface and NAT once. A gateway node that does not list it never "
               "finished, so tunnels the load balancer sends there are not served. The entry is "
               "not a live signal (it stays after later breakage, which the node checks catch), "
               "but its absence is a sure failure.",
        .evidence = "Per gateway node: no GatewayStatus object, the configuration missing from "
                    "`spec.readyGatewayConfigurations`, or listed on an interface other than "
                    "`wg-<port>` (legacy layout: in a namespace other than `gw-<uid>-<ILB IP>`).",
        .remediation = "Read the kube-egress-gateway-daemon-manager log on that gateway node.",
        .source = "001 GatewayStatus"},
    CheckInfo{
        .id = AksPodEndpoint,
        .name = "AKS-PODENDPOINT",
        .section = kControlPlane,
        .layer = L::ControlPlane,
        .runsIn = R::Operator,
        .title = "every running annotated pod has a matching PodEndpoint",
        .why = "The gateway adds a WireGuard peer only for pods that have a PodEndpoint, which the "
               "CNI plugin creates while it sets up the pod sandbox. An annotated pod without one, "
               "or whose PodEndpoint names another configuration or an old IP, has its tunnel "
               "packets dropped at the gateway: there is no peer, or the peer's allowed IP is not "
               "the pod's address.",
        .evidence = "Per node, the annotated pod with no PodEndpoint, a PodEndpoint naming another "
                    "StaticGatewayConfiguration, or a `podIpAddress` different from `<pod IP>/32`.",
        .remediation = "Restart the pod so the CNI plugin runs again, and read the cni-manager log "
                       "on its node.",
        .source = "001 PodEndpoint"},
    CheckInfo{
        .id = AksPeersReady,
        .name = "AKS-PEERS-READY",
        .section = kControlPlane,
        .layer = L::ControlPlane,
        .runsIn = R::Operator,
        .title = "GatewayStatus readyPeerConfigurations lists each PodEndpoint with its key",
        .why = "readyPeerConfigurations is where the daemon records that it configured a pod's "
               "public key as a peer of the gateway interface. A PodEndpoint not listed there, or "
               "listed with an older key, means the gateway does not know the pod's current key: "
               "WireGuard drops the pod's handshakes and its traffic never reaches the gateway.",
        .evidence = "Per gateway node, the PodEndpoint that is not a listed peer, or the key "
                    "recorded in GatewayStatus next to the key the PodEndpoint has now. Unknown "
                    "when the node has no GatewayStatus to read.",
        .remediation = "Read the daemon-manager log on the gateway node; the PodEndpoint "
                       "controller has not configured the peer.",
        .source = "001 gateway peers"},
    CheckInfo{
        .id = SpnIpsetSrc,
        .name = "SPN-IPSET-SRC",
        .section = kSpnDatapath,
        .layer = L::Datapath,
        .runsIn = R::Node,
        .title = "egress-src-v4-<sha1> exists as hash:net with the expected pod IPs",
        .why =
            "The mark rule (on other nodes) and the SNAT rule (on the EIP node) match only sources "
            "in this set. A pod IP missing on its own node is never marked and leaves with the "
            "node IP; missing on the EIP node, its tunnelled packets are not SNATed and leave with "
            "the pod's address. Extra members let pods the policy does not select use the EIP.",
        .evidence = "The set as `ipset list` shows it: `Name: egress-src-v4-...`, `Type: "
                    "hash:net`, `Members: ...` (the first 32 as listed, the rest counted); the "
                    "message lists the expected, missing and extra members, or says the set does "
                    "not exist.",
        .remediation =
            "Restart the egressgateway-agent on the node (ipsets are rebuilt on reconcile); if "
            "pods are missing, check the policy's EgressEndpointSlices (SPN-ENDPOINTS).",
        .source = "000 §4"},
    CheckInfo{.id = SpnIpsetDst,
              .name = "SPN-IPSET-DST",
              .section = kSpnDatapath,
              .layer = L::Datapath,
              .runsIn = R::Node,
              .title = "egress-dst-v4-<sha1> equals destSubnet (or egress-cluster-cidr-ipv4 holds "
                       "the cluster CIDRs)",
              .why = "This is the destination half of the same match. With destSubnet only "
                     "destinations in egress-dst-v4-<sha1> are steered, so a missing entry sends "
                     "that destination out directly with the node IP. Without destSubnet "
                     "everything outside egress-cluster-cidr-ipv4 is steered, so a missing cluster "
                     "CIDR sends in-cluster traffic to the gateway (see SPN-CLUSTER-CIDR).",
              .evidence = "`Name`, `Type` and `Members` of the set (egress-dst-v4-<sha1>, or "
                          "egress-cluster-cidr-ipv4 for a policy without destSubnet) and the "
                          "expected, missing and extra members. /32 entries appear without a "
                          "suffix and 0.0.0.0/0 as two /1 halves, as the agent writes them.",
              .remediation = "Restart the egressgateway-agent on the node; without destSubnet, add "
                             "the missing CIDRs to EgressClusterInfo spec.extraCidr.",
              .source = "000 §4"},
    CheckInfo{
        .id = SpnMarkRule,
        .name = "SPN-MARK-RULE",
        .section = kSpnDatapath,
        .layer = L::Datapath,
        .runsIn = R::Node,
        .title = "MARK-REQUEST marks the policy's traffic with the EIP node's tunnel mark",
        .why = "On a node that does not hold the EIP, this rule in EGRESSGATEWAY-MARK-REQUEST "
               "diverts the policy's traffic: it sets the EIP node's tunnel mark, and only marked "
               "packets match the ip rule that routes them into egress.vxlan. Without it the "
               "packets follow the main table and leave from this node with its own IP; with "
               "another node's mark they go to the wrong gateway.",
        .evidence =
            "`expected: -A EGRESSGATEWAY-MARK-REQUEST ...` with the rule the agent "
            "should have written (src set, dst set, ctdir ORIGINAL, `--set-xmark "
            "<mark>/0xffffffff`), then the chain's current rules as iptables-save lines. When a "
            "rule for the policy exists with other arguments, the message quotes it.",
        .remediation = "Restart the egressgateway-agent on the node to rebuild "
                       "EGRESSGATEWAY-MARK-REQUEST; check the EIP node's EgressTunnel has a mark.",
        .source = "000 §4"},
    CheckInfo{
        .id = SpnSnatRule,
        .name = "SPN-SNAT-RULE",
        .section = kSpnDatapath,
        .layer = L::Datapath,
        .runsIn = R::Node,
        .title = "on the EIP node SNAT-EIP SNATs the policy's traffic to the EIP",
        .why = "On the node that holds the EIP, this rule in EGRESSGATEWAY-SNAT-EIP rewrites the "
               "policy's traffic to the EIP (MASQUERADE for useNodeIP). Without it, tunnelled "
               "packets leave the gateway with the pod's own address or the tunnel IP, which the "
               "network upstream drops or cannot route back.",
        .evidence = "`expected: -A EGRESSGATEWAY-SNAT-EIP ... -j SNAT --to-source <EIP>`, then the "
                    "chain's current rules as iptables-save lines; a rule for the policy with "
                    "another address is quoted in the message.",
        .remediation =
            "Restart the egressgateway-agent on the EIP node to rebuild EGRESSGATEWAY-SNAT-EIP.",
        .source = "000 §4"},
    CheckInfo{
        .id = SpnReplyRouting,
        .name = "SPN-REPLY-ROUTING",
        .section = kSpnDatapath,
        .layer = L::Datapath,
        .runsIn = R::Node,
        .title = "REPLY-ROUTING has three rules per peer tunnel and the restore rule",
        .why = "On a gateway node, replies to the EIP must go back through the tunnel to the node "
               "the request came from. EGRESSGATEWAY-REPLY-ROUTING recognises the sending peer by "
               "its tunnel MAC, saves that peer's mark on the connection and restores it on "
               "replies, so the peer's ip rule routes them into egress.vxlan. Without these rules "
               "replies follow the main table instead of the tunnel the request arrived through, "
               "and connections stall after the first packet.",
        .evidence = "The missing rules as `missing: -A EGRESSGATEWAY-REPLY-ROUTING ...` lines "
                    "followed by the chain's current rules (iptables-save). Rules for peers that "
                    "no longer exist are listed as a Warn.",
        .remediation = "Restart the egressgateway-agent on the gateway node to rebuild "
                       "EGRESSGATEWAY-REPLY-ROUTING; replies otherwise do not find their way back.",
        .source = "spidernet §3.3"},
    CheckInfo{
        .id = SpnIpRule,
        .name = "SPN-IP-RULE",
        .section = kSpnDatapath,
        .layer = L::Datapath,
        .runsIn = R::Node,
        .title =
            "ip rule 99 fwmark <mark> lookup <mark> for every peer tunnel, no stale 0x26 rules",
        .why = "A mark alone changes nothing: the rule `99: from all fwmark <mark> lookup <mark as "
               "decimal>` sends marked packets to the peer's routing table. Without it marked "
               "packets use the main table and leave with the node IP. A stale 0x26 rule for a "
               "node that is gone, or another tool's rule at priority 99, can send traffic to a "
               "table with no route or the wrong one.",
        .evidence = "The node's IPv4 `ip rule` list, one line per rule; the message names each "
                    "missing rule with its peer (`99: from all fwmark 0x26b7b4e4 lookup 649573604 "
                    "(peer node2)`) or each stale one.",
        .remediation =
            "The agent re-adds rules every 10 s: if they stay missing, check the agent is running; "
            "remove rules of other tools that use priority 99 or 0x26 marks.",
        .source = "000 §4"},
    CheckInfo{
        .id = SpnRoute,
        .name = "SPN-ROUTE",
        .section = kSpnDatapath,
        .layer = L::Datapath,
        .runsIn = R::Node,
        .title = "table <mark> has default via the peer tunnel IP dev egress.vxlan",
        .why = "Table <mark as decimal> must hold `default via <peer tunnel IP> dev egress.vxlan`: "
               "this route puts the packet into the VXLAN tunnel towards the EIP node. With an "
               "empty table the lookup falls through to the main table and the packet leaves with "
               "the node IP; with a wrong next hop it is tunnelled to the wrong node.",
        .evidence = "The default route found in each peer's table as an `ip route` line (`default "
                    "via 192.200.201.40 dev egress.vxlan table 649573604`); the message names a "
                    "table with no default route, or the expected and the found route.",
        .remediation = "The agent re-adds routes every 10 s: if they stay missing, check the agent "
                       "is running and egress.vxlan exists.",
        .source = "000 §4"},
    CheckInfo{
        .id = SpnVxlan,
        .name = "SPN-VXLAN",
        .section = kSpnDatapath,
        .layer = L::Tunnel,
        .runsIn = R::Node,
        .title = "egress.vxlan is a vxlan with VNI 100, dstport 7789, local = parent IP, up, with "
                 "the tunnel IP",
        .why = "egress.vxlan carries all steered traffic between nodes. If it is missing or down, "
               "the routes through it disappear. If its VNI, port or local address differ from "
               "what the peers use (VNI 100, UDP 7789, local = the parent IP in the EgressTunnel), "
               "peers drop the encapsulated packets or send their answers elsewhere. Without the "
               "tunnel IP, peers' next hops on this link are unreachable.",
        .evidence = "`<index>: egress.vxlan state <state> kind vxlan id <VNI> local <IP> dstport "
                    "<port>` and the addresses on the link; the message names each difference "
                    "(VNI, port, local IP, state, missing tunnel IP).",
        .remediation = "Check the agent log for 'failed to get parent' / 'ensure vxlan link'; set "
                       "tunnelDetectMethod to the right NIC and allow UDP 7789 between nodes.",
        .source = "000 §3"},
    CheckInfo{
        .id = SpnNeigh,
        .name = "SPN-NEIGH",
        .section = kSpnDatapath,
        .layer = L::Tunnel,
        .runsIn = R::Node,
        .title = "a permanent neighbour and an FDB entry per peer tunnel on egress.vxlan",
        .why =
            "egress.vxlan is created with learning off, so the node cannot discover its peers by "
            "itself. It needs a permanent neighbour entry (peer tunnel IP to peer MAC) to build "
            "the inner frame and an FDB entry (peer MAC to peer parent IP) to know where to send "
            "the UDP packet. Without them the packets for that peer are dropped at the device.",
        .evidence =
            "The neighbour and FDB entries on egress.vxlan for each peer; the message names the "
            "missing or wrong entry with the expected MAC, state PERMANENT or parent IP.",
        .remediation = "The agent re-adds neighbours every 10 s: if they stay missing, check the "
                       "agent is running and the peer's EgressTunnel has MAC and parent IP.",
        .source = "spidernet §3.6"},
    CheckInfo{
        .id = SpnRpFilter,
        .name = "SPN-RPFILTER",
        .section = kSpnDatapath,
        .layer = L::Tunnel,
        .runsIn = R::Node,
        .title = "effective rp_filter of egress.vxlan is not strict (1)",
        .why = "Decapsulated packets arrive on egress.vxlan with the source address of a pod on "
               "another node, and the route back to that pod does not use egress.vxlan. Strict "
               "reverse-path filtering (1, the RHEL and Rocky default) drops them: pods on other "
               "nodes time out while pods on the gateway node still work. The kernel applies the "
               "larger of conf.all and the device's value, so 2 on the device is enough.",
        .evidence =
            "`net.ipv4.conf.all.rp_filter = N` and `net.ipv4.conf.egress.vxlan.rp_filter = N`.",
        .remediation =
            "sysctl -w net.ipv4.conf.egress.vxlan.rp_filter=2 and net.ipv4.conf.all.rp_filter=0 or "
            "2 (egressgateway v0.6.6+ sets the device to 2).",
        .source = "spidernet #1797"},
    CheckInfo{
        .id = SpnTunnelPing,
        .name = "SPN-TUNNEL-PING",
        .section = kSpnDatapath,
        .layer = L::Tunnel,
        .runsIn = R::Node,
        .title = "every peer tunnel IP answers ICMP echo over egress.vxlan",
        .why = "Every rule, route and neighbour can be in place and the tunnel still carry "
               "nothing: the underlay may drop VXLAN (UDP 7789 blocked by a security group or host "
               "firewall) or the peer may drop the decapsulated packets (rp_filter, a foreign "
               "rule). A peer tunnel IP that does not answer over egress.vxlan means pods on this "
               "node cannot reach a gateway on that peer.",
        .evidence = "One line per peer tunnel IP with the ping outcome: the reply and its "
                    "round-trip time, or no reply, or the error that kept the probe from running.",
        .remediation =
            "Check UDP 7789 is allowed between the nodes' parent IPs and rp_filter on the peer "
            "(SPN-RPFILTER there); ping the peer's parent IP to rule out the underlay.",
        .source = "000 §3"},
    CheckInfo{
        .id = SpnEipArp,
        .name = "SPN-EIP-ARP",
        .section = kSpnDatapath,
        .layer = L::Datapath,
        .runsIn = R::Node,
        .title = "ARP for the EIP is answered by the EIP node",
        .why =
            "The EIP is configured on no interface: the agent on the EIP node answers ARP for it "
            "from user space. If nothing answers (agent down, interface matched by "
            "announcedInterfacesToExclude) or a different host answers, the router on the segment "
            "delivers replies for the EIP somewhere else and connections hang after SNAT.",
        .evidence = "The request (`who-has <EIP> tell <this node's address> on <interface>`, "
                    "sent on the interface whose subnet holds the EIP) and every MAC that "
                    "answered, then the MAC answering for the EIP node's parent IP, which the "
                    "EIP's answer must equal. Skipped on the EIP node, for useNodeIP policies and "
                    "when the EIP is on none of this node's segments; by hand: `arping -I "
                    "<interface> <EIP>` from another host on the segment.",
        .remediation = "Check the EIP node's agent announces the EIP (interfaces excluded by "
                       "announcedInterfacesToExclude get no responder).",
        .source = "spidernet §3.8"},
    CheckInfo{
        .id = AksGwNetns,
        .name = "AKS-GW-NETNS",
        .section = kAksDatapath,
        .layer = L::Datapath,
        .runsIn = R::Node,
        .title = "the gateway network namespace exists",
        .why =
            "All gateway state of a node lives in one network namespace (ns-static-egress-gateway; "
            "legacy layout gw-<uid>-<ILB IP>): the WireGuard interfaces, the SNAT and the route "
            "out through host0. Without it the daemon can configure nothing, and pod tunnels the "
            "load balancer sends to this node end nowhere.",
        .evidence = "`$ ip netns` and the namespace names found in /var/run/netns.",
        .remediation = "Restart the kube-egress-gateway-daemon-manager pod on the node: its "
                       "ip-netns-add init container creates the namespace.",
        .source = "001 login to node"},
    CheckInfo{
        .id = AksGwHost,
        .name = "AKS-GW-HOST",
        .section = kAksDatapath,
        .layer = L::Datapath,
        .runsIn = R::Node,
        .title = "ILB IP on eth0, host-gateway up with the secondary IP route, host nat chains",
        .why = "The load balancer rule uses floating IP, so tunnel packets arrive with the ILB "
               "frontend IP as destination: the host must own that address on eth0 or it drops "
               "them. Return traffic for the secondary IP reaches the gateway namespace only "
               "through the `<secondary IP>/32 dev host-gateway` route, and the host nat chains "
               "keep kube-proxy or ip-masq from masquerading packets already SNATed to the "
               "secondary IP. A secondary IP left on eth0 captures that return traffic in the "
               "host. An ILB IP with the subnet prefix instead of /32 (daemons up to v0.1.3) adds "
               "a subnet route that can cut the node off from other subnets (Warn).",
        .evidence =
            "The addresses on eth0 as `ip addr` lines and the host nat rules as iptables-save "
            "lines; the message names what is missing (ILB IP, label eth0:egress, host-gateway, "
            "the /32 route, a nat rule) or the secondary IP found on eth0.",
        .remediation = "Restart the daemon-manager on the node to re-run the SGC reconcile; remove "
                       "a leftover secondary IP from eth0.",
        .source = "azure §2.1"},
    CheckInfo{
        .id = AksGwWg,
        .name = "AKS-GW-WG",
        .section = kAksDatapath,
        .layer = L::Tunnel,
        .runsIn = R::Node,
        .title = "the gateway WireGuard link is up with fe80::1/64, the status port and public key",
        .why = "wg-<port> (legacy wg0) in the gateway namespace is the server end of every pod's "
               "tunnel. If it is missing or down, listens on another port than the load balancer "
               "rule forwards, or holds a key other than the one pods were given, pod handshakes "
               "fail and annotated pods have no egress. Pods route to fe80::1, so the link must "
               "carry that address.",
        .evidence = "`interface:`, `public key:` and `listening port:` of the link as `wg` prints "
                    "them; the message names each difference from `status.gatewayServerProfile` "
                    "(port, publicKey) and a missing fe80::1/64.",
        .remediation = "Restart the daemon-manager on the node; if the key differs, check the "
                       "sgw-<uid> Secret (AKS-SGC-KEY).",
        .source = "001 wg"},
    CheckInfo{
        .id = AksGwPeers,
        .name = "AKS-GW-PEERS",
        .section = kAksDatapath,
        .layer = L::Tunnel,
        .runsIn = R::Node,
        .title = "gateway WireGuard peers equal the SGC's PodEndpoints",
        .why = "WireGuard accepts packets only from known peers and only from their allowed IPs, "
               "so each pod must be a peer with its current key and `<pod IP>/32`. A missing peer "
               "means that pod's traffic is silently dropped at the gateway. A peer left for a "
               "deleted pod does not break egress but shows the daemon is not cleaning up (Warn).",
        .evidence = "One `peer: <key> allowed ips: <IP>/32 latest handshake: <seconds or never>` "
                    "line per peer; the message names PodEndpoints without a peer and peers "
                    "without a PodEndpoint. The handshake is informational: without keepalive it "
                    "stays `never` until the pod sends traffic.",
        .remediation = "Restart the daemon-manager on the node so the PodEndpoint controller "
                       "re-adds peers; restart pods whose PodEndpoint is missing.",
        .source = "001 gateway peers"},
    CheckInfo{
        .id = AksGwRoutes,
        .name = "AKS-GW-ROUTES",
        .section = kAksDatapath,
        .layer = L::Datapath,
        .runsIn = R::Node,
        .title =
            "gateway netns routes via host0 and per-peer routes on the wg link; ip_forward = 1",
        .why = "Inside the gateway namespace, packets decrypted from wg-<port> leave through host0 "
               "by `default via <primary IP> dev host0` (plus `<primary IP> dev host0 scope link` "
               "to reach that next hop) with the secondary IP on host0 as their SNAT source, and "
               "replies find the pod through one `<pod IP> dev wg-<port>` route per peer. Without "
               "net.ipv4.ip_forward=1 in the namespace nothing is forwarded between the two.",
        .evidence = "The namespace's IPv4 main-table routes as `ip route` lines; the message names "
                    "a missing secondary IP on host0, missing host0 or peer routes, and the "
                    "ip_forward value.",
        .remediation = "Restart the daemon-manager on the node; enable net.ipv4.ip_forward in the "
                       "gateway namespace.",
        .source = "001 ip route"},
    CheckInfo{
        .id = AksGwNat,
        .name = "AKS-GW-NAT",
        .section = kAksDatapath,
        .layer = L::Datapath,
        .runsIn = R::Node,
        .title = "gateway netns nat marks wg ingress and SNATs to the secondary IP",
        .why =
            "The gateway namespace marks connections that arrive on wg-<port> with the port number "
            "as connmark and SNATs exactly those, on their way out of host0, to the node's "
            "secondary IP, which Azure maps to the egress public IP. Without the mark or the SNAT "
            "rule traffic leaves with the pod's address, which Azure does not translate, so it is "
            "dropped or egresses with the wrong IP. (Legacy layout: a single MASQUERADE on host0.)",
        .evidence = "The nat rules of the gateway namespace as iptables-save lines and the missing "
                    "rule, for example `-t nat -A EGRESS-GATEWAY-SNAT-6000 -o host0 -m connmark "
                    "--mark 0x1770 -j SNAT --to-source 10.243.0.7`.",
        .remediation =
            "Restart the daemon-manager on the node to rewrite the gateway namespace's nat chains.",
        .source = "001 iptables-save"},
    CheckInfo{.id = AksLbProbe,
              .name = "AKS-LB-PROBE",
              .section = kAksDatapath,
              .layer = L::Datapath,
              .runsIn = R::Node,
              .title = "GET http://<node>:8082/gw/<SGC uid> answers 200",
              .why = "The internal load balancer sends a configuration's tunnel traffic only to "
                     "gateway nodes whose daemon answers 200 on /gw/<SGC uid>. The daemon answers "
                     "503 until it has reconciled the configuration (again after every restart) "
                     "and while it drains. A node that does not answer 200 receives no traffic; "
                     "when no gateway node does, the configuration's pods have no gateway.",
              .evidence = "`GET http://<node>:8082/gw/<uid> -> <HTTP status>`, the same request "
                          "the load balancer's health probe makes.",
              .remediation = "The daemon answers 503 until it has reconciled the SGC: read the "
                             "daemon-manager log; the ILB sends no traffic to this node meanwhile.",
              .source = "001 LB health probe"},
    CheckInfo{
        .id = AksCniConf,
        .name = "AKS-CNI-CONF",
        .section = kAksDatapath,
        .layer = L::Datapath,
        .runsIn = R::Node,
        .title = "01-egressgateway.conflist exists, sorts first, has kube-egress-cni at plugins[1]",
        .why = "The container runtime uses only the first CNI configuration file in "
               "/etc/cni/net.d. If 01-egressgateway.conflist is missing, sorts after another file, "
               "or does not chain kube-egress-cni right after the main plugin, annotated pods "
               "start without wg0 or PodEndpoint and use the node's normal egress path.",
        .evidence = "`$ ls /etc/cni/net.d` with the files in sort order, and `plugins: <type>, "
                    "<type>, ...` from the first file.",
        .remediation = "Restart the cni-manager pod on the node to regenerate the conflist; remove "
                       "CNI files that sort before it.",
        .source = "001 pod state"},
    CheckInfo{
        .id = AksPodWg,
        .name = "AKS-POD-WG",
        .section = kAksDatapath,
        .layer = L::Tunnel,
        .runsIn = R::Node,
        .title = "each annotated pod has wg0 peered with the gateway",
        .why = "The CNI plugin gives each annotated pod a wg0 interface, with eth0's link-local "
               "address, whose single peer is the gateway: its public key, endpoint `<ILB "
               "IP>:<port>`, allowed 0.0.0.0/0 and ::/0. A missing wg0, a wrong peer key or "
               "endpoint, or a pod key that differs from its PodEndpoint leaves the pod's default "
               "route pointing into a tunnel that never completes a handshake, so all its egress "
               "is dropped.",
        .evidence = "`interface: wg0`, `public key:` and one `peer: <key> endpoint: <IP:port> "
                    "allowed ips: ...` line per peer; the message names each difference from the "
                    "configuration's status and the PodEndpoint.",
        .remediation = "Restart the pod: the CNI plugin configures wg0 only at sandbox creation.",
        .source = "001 pod netns"},
    CheckInfo{
        .id = AksPodRoutes,
        .name = "AKS-POD-ROUTES",
        .section = kAksDatapath,
        .layer = L::Datapath,
        .runsIn = R::Node,
        .title = "each annotated pod routes default via wg0 and keeps its ingress mark rules",
        .why = "The pod's routing decides what enters the tunnel: `default via inet6 fe80::1 dev "
               "wg0` sends egress to the gateway (in azureNetworking mode only the configuration's "
               "excludeCidrs go there) while exception CIDRs stay on eth0. The `fwmark 0x2222 "
               "lookup 8738` rule, table 8738 and the mangle MARK and CONNMARK rules send replies "
               "for connections that came in on eth0 back out of eth0, and rp_filter 2 lets them "
               "in. Without the default route egress bypasses the gateway; without the reply path, "
               "inbound connections to the pod break.",
        .evidence = "The pod's IPv4 routes of the main table and table 8738 as `ip route` lines "
                    "and its mangle rules as iptables-save lines; the message names each missing "
                    "route or rule and the rp_filter values.",
        .remediation = "Restart the pod: the CNI plugin sets routes, rules and mangle marks only "
                       "at sandbox creation.",
        .source = "001 pod netns"},
    CheckInfo{.id = E2eSourceIp,
              .name = "E2E-SOURCE-IP",
              .section = kEndToEnd,
              .layer = L::EndToEnd,
              .runsIn = R::Node,
              .title = "the echo endpoint sees the expected egress IP from a selected pod",
              .why = "This is the outcome all other checks serve: from a selected pod's network "
                     "namespace, the echo endpoint must see the egress IP (the EIP, the node IP "
                     "for useNodeIP, or an address inside egressIpPrefix on Azure). A wrong source "
                     "IP means destinations that allow-list the egress IP reject the traffic "
                     "although it flows; no answer at all means egress is down.",
              .evidence = "`$ curl <echo URL>   # from pod <name> (<pod IP>)` and the start of the "
                          "answer; the message compares the reported address with the expected "
                          "ones. Unknown when no echo URL is configured (the diagnosis' "
                          "spec.probe.url, or `--echo-url` for `egressdiag-probe check`).",
              .remediation = "Follow the first failing check above; if all pass, check the cloud "
                             "or firewall between the egress node and the destination.",
              .source = "000 §5; 001 curl"},
    CheckInfo{
        .id = E2eRouteGet,
        .name = "E2E-ROUTE-GET",
        .section = kEndToEnd,
        .layer = L::EndToEnd,
        .runsIn = R::Node,
        .title =
            "on the egress node the route to the destination leaves through the expected interface",
        .why = "After SNAT the packet leaves the EIP node through whichever interface the main "
               "table picks for the destination. If that is not the interface on the EIP's subnet, "
               "the packet carries the EIP into a network that does not route it back (or an "
               "anti-spoofing filter drops it), so replies never arrive.",
        .evidence = "One line per destination with the main-table route the kernel would use (for "
                    "example `172.16.25.183 default via 10.6.0.1 dev ens224`); the message names "
                    "the expected interface, the one carrying the EIP's subnet.",
        .remediation = "Fix the egress node's routing so the destination leaves through the "
                       "interface that carries the EIP's subnet.",
        .source = "000 §5"},
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

#include "tests/operator/controller/fixtures.h"

#include "operator/controller/crypto.h"
#include "operator/controller/target.h"

namespace egressdiag::controller::testing {
namespace {

model::ObjectMeta meta(std::string ns, std::string name) {
  model::ObjectMeta m;
  m.namespace_ = std::move(ns);
  m.name = std::move(name);
  m.uid = "uid-" + m.name;
  m.generation = 1;
  return m;
}

model::Node node(const std::string& name, const std::string& ip, const std::string& podCidr) {
  model::Node n;
  n.metadata = meta("", name);
  n.spec.podCIDRs = {podCidr};
  n.status.addresses = {{"InternalIP", ip}};
  n.status.conditions = {model::Condition{"Ready", model::ConditionStatus::True, "", "", {}, 0}};
  return n;
}

model::Pod pod(const std::string& ns, const std::string& name, const std::string& nodeName,
               const std::string& ip, model::StringMap labels) {
  model::Pod p;
  p.metadata = meta(ns, name);
  p.metadata.labels = std::move(labels);
  p.spec.nodeName = nodeName;
  p.status.phase = "Running";
  p.status.podIP = ip;
  p.status.podIPs = {ip};
  p.status.containerStatuses = {{"main", true, 0}};
  return p;
}

model::DaemonSet daemonSet(const std::string& ns, const std::string& name, model::StringMap labels,
                           int desired) {
  model::DaemonSet ds;
  ds.metadata = meta(ns, name);
  ds.selector = model::LabelSelector{labels, {}};
  ds.podLabels = std::move(labels);
  ds.status.desiredNumberScheduled = desired;
  ds.status.numberReady = desired;
  ds.status.numberAvailable = desired;
  return ds;
}

model::Deployment deployment(const std::string& ns, const std::string& name,
                             model::StringMap labels) {
  model::Deployment d;
  d.metadata = meta(ns, name);
  d.selector = model::LabelSelector{labels, {}};
  d.podLabels = std::move(labels);
  d.status.availableReplicas = 1;
  d.status.readyReplicas = 1;
  d.status.conditions = {model::Condition{
      "Available", model::ConditionStatus::True, "MinimumReplicasAvailable", "", {}, 0}};
  return d;
}

model::EgressTunnel tunnel(const std::string& name, const std::string& mark,
                           const std::string& tunnelIp, const std::string& parentIp) {
  model::EgressTunnel t;
  t.metadata = meta("", name);
  t.status.tunnelIPv4 = tunnelIp;
  t.status.mac = spidernetTunnelMac(name);
  t.status.parent = {"ens160", parentIp, ""};
  t.status.phase = "Ready";
  t.status.mark = mark;
  return t;
}

}  // namespace

std::string spidernetConf(const std::string& gatewayFailover) {
  return "announcedInterfacesToExclude:\n- ^cali.*\n- br-*\nclusterCIDR:\n  autoDetect:\n"
         "    clusterIP: true\n    nodeIP: true\n    podCidrMode: auto\n  extraCidr: []\n"
         "datapathMode: iptables\nenableIPv4: true\nenableIPv6: false\n"
         "gatewayFailover:\n" +
         gatewayFailover +
         "iptables:\n  backendMode: auto\ntunnelIpv4Subnet: 172.31.0.0/16\n"
         "vxlan:\n  disableChecksumOffload: false\n  id: 100\n  name: egress.vxlan\n"
         "  port: 7789\n";
}

model::Time at(int seconds) {
  return model::Time(std::chrono::seconds(1'800'000'000 + seconds));
}

model::Lease probeLease(const std::string& nodeName, model::Time renewed) {
  model::Lease lease;
  lease.metadata = meta("egressdiag-system", "egressdiag-probe-" + nodeName);
  lease.spec.holderIdentity = nodeName;
  lease.spec.leaseDurationSeconds = 40;
  lease.spec.renewTime = renewed;
  return lease;
}

model::EgressNodeReport nodeReport(const std::string& nodeName, const model::TargetRef& target,
                                   std::vector<model::Finding> findings, model::Time probed) {
  model::EgressNodeReport report;
  report.metadata = meta("", nodeName);
  report.nodeName = nodeName;
  report.status.probeVersion = "0.1.0";
  report.status.lastProbeTime = probed;
  model::TargetReport entry;
  entry.target = target;
  entry.counts.pass = 12;
  for (auto& finding : findings) {
    finding.target = target;
    finding.node = nodeName;
    ++(finding.status == model::CheckStatus::Fail ? entry.counts.fail : entry.counts.unknown);
  }
  entry.findings = std::move(findings);
  report.status.targets.push_back(std::move(entry));
  return report;
}

void addHealthyReports(Scenario& scenario, const std::vector<std::string>& nodes, model::Time now) {
  for (const auto& name : nodes) {
    scenario.state.objects.egressNodeReports.push_back(
        nodeReport(name, normaliseTargetRef(scenario.diagnosis), {}, now));
    scenario.state.objects.leases.push_back(probeLease(name, now));
  }
}

Scenario healthySpidernet() {
  Scenario s;
  s.state.installed = {true, false, true};
  auto& o = s.state.objects;
  o.nodes = {node("node1", "10.6.1.21", "10.244.0.0/24"),
             node("node2", "10.6.1.22", "10.244.1.0/24")};
  model::StringMap agentLabels{{"app.kubernetes.io/name", "egressgateway"},
                               {"app.kubernetes.io/component", "egressgateway-agent"}};
  o.daemonSets = {daemonSet("kube-system", "egressgateway-agent", agentLabels, 2)};
  o.deployments = {deployment("kube-system", "egressgateway-controller",
                              {{"app.kubernetes.io/component", "egressgateway-controller"}})};
  o.pods = {pod("kube-system", "egressgateway-agent-a", "node1", "10.6.1.21", agentLabels),
            pod("kube-system", "egressgateway-agent-b", "node2", "10.6.1.22", agentLabels),
            pod("default", "visitor-1", "node1", "10.244.0.10", {{"app", "visitor"}}),
            pod("default", "visitor-2", "node2", "10.244.1.11", {{"app", "visitor"}}),
            pod("default", "other", "node1", "10.244.0.12", {{"app", "other"}})};
  model::FelixConfiguration felix;
  felix.metadata = meta("", "default");
  felix.chainInsertMode = "Append";
  o.felixConfigurations = {felix};

  model::EgressGateway gateway;
  gateway.metadata = meta("", "default");
  gateway.spec.ippools.ipv4 = {"172.16.25.189-172.16.25.190"};
  gateway.spec.ippools.ipv4DefaultEIP = "172.16.25.189";
  gateway.spec.nodeSelector = model::LabelSelector{{{"egress", "true"}}, {}};
  gateway.status.nodeList = {
      {"node1", "Ready", {}},
      {"node2", "Ready", {{"172.16.25.189", "", {{"test", "default"}}}}},
  };
  o.egressGateways = {gateway};

  model::EgressPolicy policy;
  policy.metadata = meta("default", "test");
  policy.spec.egressGatewayName = "default";
  policy.spec.egressIP.allocatorPolicy = "default";
  policy.spec.appliedTo.podSelector = model::LabelSelector{{{"app", "visitor"}}, {}};
  policy.spec.destSubnet = {"172.16.25.183/32"};
  policy.status = {"172.16.25.189", "", "node2"};
  o.egressPolicies = {policy};

  o.egressTunnels = {tunnel("node1", "0x2698ee37", "192.200.142.89", "10.6.1.21"),
                     tunnel("node2", "0x26b7b4e4", "192.200.201.40", "10.6.1.22")};
  // The chart default: failover off, so heartbeats are an hour old and that is fine.
  for (auto& t : o.egressTunnels) {
    t.status.lastHeartbeatTime = at(-3600);
  }
  model::ConfigMap config;
  config.metadata = meta("kube-system", "egressgateway");
  config.data = {{"conf.yml", spidernetConf("  enable: false\n")}};
  o.configMaps = {config};

  model::EgressEndpointSlice slice;
  slice.metadata = meta("default", "test-abcde");
  slice.metadata.labels = {{"spidernet.io/policy-name", "test"}};
  slice.endpoints = {{"default", "visitor-1", {"10.244.0.10"}, {}, "node1"},
                     {"default", "visitor-2", {"10.244.1.11"}, {}, "node2"}};
  o.egressEndpointSlices = {slice};

  model::EgressClusterInfo info;
  info.metadata = meta("", "default");
  info.status.podCidrMode = "k8s";
  info.status.nodeIP = {{"node1", {{"10.6.1.21"}, {}}}, {"node2", {{"10.6.1.22"}, {}}}};
  info.status.clusterIP = {{"10.96.0.0/12"}, {}};
  info.status.podCIDR = {{"default-ipv4-ippool", {{"10.244.0.0/16"}, {}}}};
  o.egressClusterInfos = {info};

  s.diagnosis.metadata = meta("default", "test");
  s.diagnosis.spec.targetRef = {"egressgateway.spidernet.io", "EgressPolicy", "test", ""};
  return s;
}

Scenario healthyAzure() {
  Scenario s;
  s.state.installed = {false, true, false};
  auto& o = s.state.objects;
  model::Node gw = node("gw-0", "10.224.0.4", "10.244.2.0/24");
  gw.metadata.labels = {{"kubeegressgateway.azure.com/mode", "true"},
                        {"kubernetes.azure.com/agentpool", "gwpool"}};
  o.nodes = {gw, node("worker-0", "10.224.0.5", "10.244.3.0/24")};
  const std::string ns = "kube-egress-gateway-system";
  const std::string key = "kube-egress-gateway-control-plane";
  o.deployments = {
      deployment(ns, "kube-egress-gateway-controller-manager", {{key, "controller-manager"}})};
  o.daemonSets = {daemonSet(ns, "kube-egress-gateway-daemon-manager", {{key, "daemon-manager"}}, 1),
                  daemonSet(ns, "kube-egress-gateway-cni-manager", {{key, "cni-manager"}}, 1)};

  model::StaticGatewayConfiguration sgc;
  sgc.metadata = meta("default", "aks-gw");
  sgc.metadata.uid = "6a1b2c3d";
  sgc.spec.gatewayNodepoolName = "gwpool";
  sgc.status.egressIpPrefix = "20.1.2.0/31";
  sgc.status.gatewayServerProfile.ip = "10.224.0.10";
  sgc.status.gatewayServerProfile.port = 6000;
  sgc.status.gatewayServerProfile.publicKey = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
  sgc.status.gatewayServerProfile.privateKeySecretRef =
      model::ObjectReference{"v1", "Secret", "sgw-6a1b2c3d", ns, "", ""};
  o.staticGatewayConfigurations = {sgc};

  model::Secret secret;
  secret.metadata = meta(ns, "sgw-6a1b2c3d");
  // data.PrivateKey = base64(RFC 7748 test private key in WireGuard's base64 form).
  secret.data = {{"PrivateKey", "ZHdkdENuTVlwWDA4RnNGeVViSm1SZDlNTDRmcndKa3FzWGY3cFIyNUxDbz0="}};
  o.secrets = {secret};

  model::GatewayLBConfiguration lb;
  lb.metadata = meta("default", "aks-gw");
  lb.status = model::GatewayLBConfigurationStatus{"10.224.0.10", 6000, "20.1.2.0/31"};
  o.gatewayLBConfigurations = {lb};
  model::GatewayVMConfiguration vm;
  vm.metadata = meta("default", "aks-gw");
  vm.status =
      model::GatewayVMConfigurationStatus{"20.1.2.0/31", {{"gw-0", "10.224.0.4", "10.224.0.20"}}};
  o.gatewayVMConfigurations = {vm};

  model::Pod client = pod("default", "client", "worker-0", "10.244.3.7", {{"app", "client"}});
  client.metadata.annotations = {{std::string(model::kStaticGatewayAnnotation), "aks-gw"}};
  o.pods = {client};
  model::PodEndpoint endpoint;
  endpoint.metadata = meta("default", "client");
  endpoint.staticGatewayConfiguration = "aks-gw";
  endpoint.podIpAddress = "10.244.3.7/32";
  endpoint.podPublicKey = "cGVlcmtleQ==";
  o.podEndpoints = {endpoint};

  model::GatewayStatus status;
  status.metadata = meta(ns, "gw-0");
  status.readyGatewayConfigurations = {{"default/aks-gw", "wg-6000", ""}};
  status.readyPeerConfigurations = {{"default/client", "wg-6000", "", "cGVlcmtleQ=="}};
  o.gatewayStatuses = {status};

  s.diagnosis.metadata = meta("default", "aks-gw");
  s.diagnosis.spec.targetRef = {"egressgateway.kubernetes.azure.com", "StaticGatewayConfiguration",
                                "aks-gw", "default"};
  return s;
}

}  // namespace egressdiag::controller::testing

#include "node-probe/cli/check_command.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "node-probe/checks/active.h"
#include "node-probe/checks/azure_checks.h"
#include "node-probe/checks/spidernet_checks.h"
#include "node-probe/datapath/process.h"
#include "operator/model/decode.h"
#include "rapidjson/prettywriter.h"
#include "rapidjson/stringbuffer.h"

namespace egressdiag::probe {
namespace {

using catalog::Finding;
using catalog::Status;

std::set<std::string> knownNodes(const model::ObjectSet& objects) {
  std::set<std::string> nodes;
  for (const auto& n : objects.nodes) {
    nodes.insert(n.metadata.name);
  }
  for (const auto& t : objects.egressTunnels) {
    nodes.insert(t.metadata.name);
  }
  for (const auto& g : objects.egressGateways) {
    for (const auto& n : g.status.nodeList) {
      nodes.insert(n.name);
    }
  }
  for (const auto& s : objects.gatewayStatuses) {
    nodes.insert(s.metadata.name);
  }
  for (const auto& vm : objects.gatewayVMConfigurations) {
    if (vm.status) {
      for (const auto& p : vm.status->gatewayVMProfiles) {
        nodes.insert(p.nodeName);
      }
    }
  }
  for (const auto& p : objects.pods) {
    if (!p.spec.nodeName.empty()) {
      nodes.insert(p.spec.nodeName);
    }
  }
  return nodes;
}

Result<checks::PingOutcome> pingPeer(const std::string& ip, std::chrono::milliseconds timeout) {
  // -I binds to egress.vxlan so the echo must cross the tunnel (000 §3).
  int waitSec = std::max<int>(1, static_cast<int>(timeout.count() / 1000));
  auto run = datapath::runProcess({"ping", "-n", "-q", "-c", "3", "-i", "0.2", "-W",
                                   std::to_string(waitSec), "-I", "egress.vxlan", ip},
                                  timeout + std::chrono::milliseconds(1500), 1 << 16);
  if (!run) {
    return std::unexpected(run.error());
  }
  auto parsed = checks::parsePingOutput(run->stdoutText);
  if (!parsed) {
    std::string why = run->stderrText.empty() ? parsed.error().message : run->stderrText;
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) {
      why.pop_back();
    }
    ErrorCode code = why.find("Operation not permitted") != std::string::npos
                         ? ErrorCode::PermissionDenied
                         : ErrorCode::Unavailable;
    return fail(code, "ping " + ip + ": " + why +
                          (code == ErrorCode::PermissionDenied ? " (needs CAP_NET_RAW)" : ""));
  }
  return parsed;
}

Result<datapath::HttpProbeResult> probeFromPod(datapath::DatapathReader& reader,
                                               const checks::SourceIpProbe& probe,
                                               const CheckOptions& options) {
  if (probe.podIp.empty()) {
    return fail(ErrorCode::NotFound, "pod " + probe.pod + " has no IPv4 address");
  }
  auto ns = reader.findNetnsByIp(probe.podIp);
  if (!ns) {
    return fail(ns.error().code,
                "netns of pod " + probe.pod + " (" + probe.podIp + "): " + ns.error().message);
  }
  return reader.httpGet(datapath::NetnsRef::named(*ns), options.echoUrl, options.timeout);
}

void addSourceIp(std::vector<Finding>& out, const std::vector<checks::SourceIpProbe>& probes,
                 datapath::DatapathReader& reader, const CheckOptions& options,
                 const std::string& node) {
  for (const checks::SourceIpProbe& probe : probes) {
    Result<datapath::HttpProbeResult> outcome = fail(ErrorCode::Unavailable, "not run");
    if (probe.notReady.empty() && !options.echoUrl.empty()) {
      outcome = probeFromPod(reader, probe, options);
    }
    Finding f = checks::judgeSourceIp(probe, options.echoUrl, outcome);
    f.node = node;
    out.push_back(std::move(f));
  }
}

void runSpidernet(const model::ObjectSet& objects, const CheckOptions& options,
                  datapath::DatapathReader& reader, std::vector<Finding>& out) {
  checks::spidernet::Expectation e = checks::spidernet::expect(objects, options.node);
  datapath::NodeReadOptions read;
  read.host.wireguard = false;
  read.cni = false;
  datapath::NodeSnapshot snapshot = datapath::readNode(reader, read);
  for (Finding& f : checks::spidernet::checkAll(e, snapshot.host)) {
    out.push_back(std::move(f));
  }
  std::vector<std::pair<std::string, Result<checks::PingOutcome>>> pings;
  for (const checks::spidernet::Peer& peer : e.peers) {
    if (peer.tunnelIPv4.empty() || peer.parentIPv4.empty()) {
      continue;
    }
    pings.emplace_back(peer.node + " " + peer.tunnelIPv4,
                       pingPeer(peer.tunnelIPv4, options.timeout));
  }
  Finding ping = checks::judgeTunnelPing(e, pings);
  ping.node = options.node;
  out.push_back(std::move(ping));
  addSourceIp(out, checks::sourceIpProbes(objects, e), reader, options, options.node);
}

void runAzure(const model::ObjectSet& objects, const CheckOptions& options,
              datapath::DatapathReader& reader, std::vector<Finding>& out) {
  checks::azure::Expectation e = checks::azure::expect(objects, options.node);
  datapath::NodeReadOptions read;
  read.host.wireguard = false;
  for (const auto& g : e.gateways) {
    if (!g.netns.empty()) {
      read.netns.push_back(g.netns);
    }
  }
  datapath::NodeSnapshot snapshot = datapath::readNode(reader, read);
  checks::azure::Inputs inputs;
  inputs.node = &snapshot;
  for (const auto& p : e.pods) {
    if (p.podIp.empty()) {
      inputs.pods.emplace(p.pod, fail(ErrorCode::NotFound, "pod has no IPv4 address"));
      continue;
    }
    auto ns = reader.findNetnsByIp(p.podIp);
    if (!ns) {
      inputs.pods.emplace(p.pod, std::unexpected(ns.error()));
      continue;
    }
    inputs.pods.emplace(p.pod, reader.readNetns(datapath::NetnsRef::named(*ns), {}));
  }
  for (const auto& g : e.gateways) {
    if (g.primaryIP.empty() || g.uid.empty()) {
      continue;
    }
    inputs.lbProbes.emplace(
        g.uid, reader.httpGet(datapath::NetnsRef::host(),
                              "http://" + g.primaryIP + ":" +
                                  std::to_string(checks::azure::kLbProbePort) + "/gw/" + g.uid,
                              options.timeout));
  }
  for (Finding& f : checks::azure::checkAll(e, inputs)) {
    out.push_back(std::move(f));
  }
  addSourceIp(out, checks::sourceIpProbes(objects, e), reader, options, options.node);
}

std::string_view statusWord(Status s) {
  switch (s) {
    case Status::Pass:
      return "PASS";
    case Status::Fail:
      return "FAIL";
    case Status::Warn:
      return "WARN";
    case Status::Unknown:
      return "UNKNOWN";
    case Status::Skipped:
      return "SKIP";
  }
  return "?";
}

std::string pad(std::string_view s, std::size_t width) {
  std::string out(s);
  if (out.size() < width) {
    out.append(width - out.size(), ' ');
  }
  return out;
}

}  // namespace

std::string checkUsage() {
  return "Usage: egressdiag-probe check --node NAME --objects FILE [--json] [--echo-url URL]\n"
         "                              [--timeout SECONDS]\n"
         "\n"
         "Runs every node check of the egressdiag catalog once against this node's kernel and\n"
         "prints the runbook: one line per check and target, failing checks followed by their\n"
         "evidence and the fix, then a summary. No cluster is needed.\n"
         "\n"
         "  --node NAME      the Kubernetes node this machine is (as named in the objects)\n"
         "  --objects FILE   a List as `kubectl get ... -o json` prints it, holding the egress\n"
         "                   objects (spidernet EgressGateway/EgressPolicy/EgressTunnel/\n"
         "                   EgressEndpointSlice/EgressClusterInfo, or Azure\n"
         "                   StaticGatewayConfiguration/GatewayVMConfiguration/GatewayStatus/\n"
         "                   PodEndpoint) plus Nodes and Pods\n"
         "  --json           print {\"node\": ..., \"findings\": [...]} instead\n"
         "  --echo-url URL   http://IP[:PORT]/PATH answering with the caller's source IP; enables\n"
         "                   E2E-SOURCE-IP from a selected pod's network namespace\n"
         "  --timeout SEC    bound of each active probe (default 3)\n"
         "\n"
         "Exit status: 0 nothing failed, 1 a check failed, 2 bad input (unreadable file,\n"
         "malformed JSON, no egress objects, unknown node).\n"
         "Reading the datapath needs CAP_NET_ADMIN and CAP_SYS_ADMIN (netns); without them the\n"
         "affected checks report Unknown, never Pass.\n";
}

Result<CheckOptions> parseCheckArgs(const std::vector<std::string>& args) {
  CheckOptions o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> Result<std::string> {
      if (i + 1 >= args.size()) {
        return fail(ErrorCode::InvalidInput, a + " needs a value");
      }
      return args[++i];
    };
    if (a == "--help" || a == "-h") {
      o.help = true;
      return o;
    }
    if (a == "--json") {
      o.json = true;
      continue;
    }
    Result<std::string> v = fail(ErrorCode::InvalidInput, "unknown argument " + a);
    if (a == "--node" || a == "--objects" || a == "--echo-url" || a == "--timeout") {
      v = value();
    }
    if (!v) {
      return std::unexpected(v.error());
    }
    if (a == "--node") {
      o.node = *v;
    } else if (a == "--objects") {
      o.objectsFile = *v;
    } else if (a == "--echo-url") {
      o.echoUrl = *v;
    } else {
      int seconds = 0;
      auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), seconds);
      if (ec != std::errc() || ptr != v->data() + v->size() || seconds < 1 || seconds > 60) {
        return fail(ErrorCode::InvalidInput, "--timeout wants 1..60 seconds, got " + *v);
      }
      o.timeout = std::chrono::seconds(seconds);
    }
  }
  if (o.node.empty()) {
    return fail(ErrorCode::InvalidInput, "--node is required");
  }
  if (o.objectsFile.empty()) {
    return fail(ErrorCode::InvalidInput, "--objects is required");
  }
  return o;
}

Result<CheckReport> runChecks(const CheckOptions& options, std::string_view objectsJson,
                              datapath::DatapathReader& reader) {
  auto objects = model::decodeList(objectsJson);
  if (!objects) {
    return fail(ErrorCode::InvalidInput, "objects: " + objects.error().message);
  }
  const bool spn = checks::spidernet::present(*objects);
  const bool aks = checks::azure::present(*objects);
  if (!spn && !aks) {
    std::string msg = "objects hold no spidernet or Azure egress-gateway objects";
    if (objects->ignoredItems > 0) {
      msg += " (" + std::to_string(objects->ignoredItems) + " items of unknown kinds ignored: " +
             (objects->notes.empty() ? std::string("?") : objects->notes.front()) + ")";
    }
    return fail(ErrorCode::InvalidInput, msg);
  }
  std::set<std::string> nodes = knownNodes(*objects);
  if (!nodes.contains(options.node)) {
    std::string known;
    for (const std::string& n : nodes) {
      known += (known.empty() ? "" : ", ") + n;
    }
    return fail(ErrorCode::NotFound, "node " + options.node + " is not in the objects (known: " +
                                         (known.empty() ? std::string("none") : known) + ")");
  }
  CheckReport report;
  report.node = options.node;
  if (spn) {
    report.flavours.push_back("spidernet");
    runSpidernet(*objects, options, reader, report.findings);
  }
  if (aks) {
    report.flavours.push_back("azure");
    runAzure(*objects, options, reader, report.findings);
  }
  return report;
}

std::string renderJson(const CheckReport& report) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  doc.AddMember("node", rapidjson::Value(report.node.c_str(), alloc), alloc);
  rapidjson::Value findings(rapidjson::kArrayType);
  for (const Finding& f : report.findings) {
    findings.PushBack(catalog::toJson(f, alloc), alloc);
  }
  doc.AddMember("findings", findings, alloc);
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.SetIndent(' ', 2);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::string renderHuman(const CheckReport& report) {
  std::ostringstream out;
  std::string flavours;
  for (const std::string& f : report.flavours) {
    flavours += (flavours.empty() ? "" : ", ") + f;
  }
  out << "egressdiag-probe check: node " << report.node << " (" << flavours << ")\n";
  int counts[5] = {};
  for (const Finding& f : report.findings) {
    ++counts[static_cast<int>(f.status)];
    out << pad(statusWord(f.status), 8) << pad(catalog::toString(f.check), 18) << " "
        << pad(f.target.empty() ? "-" : f.target, 21) << " " << f.reason << ": " << f.message
        << "\n";
    if (f.status == Status::Fail || f.status == Status::Warn || f.status == Status::Unknown) {
      for (const std::string& line : f.evidence) {
        std::istringstream lines(line);
        for (std::string part; std::getline(lines, part);) {
          out << "          | " << part << "\n";
        }
      }
      if (f.status != Status::Unknown) {
        out << "          fix: " << f.remediation << "\n";
      }
    }
  }
  out << "summary: " << counts[0] << " pass, " << counts[1] << " fail, " << counts[2] << " warn, "
      << counts[3] << " unknown, " << counts[4] << " skipped\n";
  return out.str();
}

std::string catalogMarkdown() {
  std::ostringstream out;
  out << "# Check runbook\n\n"
      << "Generated by `egressdiag-probe catalog` from operator/catalog (the one source of check\n"
      << "IDs, layers and remedies); `tests/node-probe/checks/docs_checks_test.sh` keeps it in\n"
      << "sync. IDs are a product interface: findings, condition messages, metrics labels and\n"
      << "alerts use them. Runs in: op = operator (objects only), node = node probe.\n";
  std::string_view section;
  for (const catalog::CheckInfo& c : catalog::allChecks()) {
    if (c.section != section) {
      section = c.section;
      out << "\n## " << section << "\n";
    }
    out << "\n### " << c.name << "\n\n"
        << "- Passes when: " << c.title << "\n"
        << "- Layer: " << catalog::toString(c.layer) << "; runs in: " << catalog::toString(c.runsIn)
        << "\n"
        << "- Source: " << c.source << "\n"
        << "- Fix: " << c.remediation << "\n";
  }
  return out.str();
}

int exitCodeOf(const CheckReport& report) {
  for (const Finding& f : report.findings) {
    if (f.status == Status::Fail) {
      return kExitFail;
    }
  }
  return kExitOk;
}

int runCheckCommand(const CheckOptions& options, datapath::DatapathReader& reader,
                    std::ostream& out, std::ostream& err) {
  std::error_code ec;
  if (std::filesystem::is_directory(options.objectsFile, ec)) {
    err << "egressdiag-probe: cannot read " << options.objectsFile << ": is a directory\n";
    return kExitBadInput;
  }
  std::ifstream in(options.objectsFile, std::ios::binary);
  if (!in) {
    err << "egressdiag-probe: cannot read " << options.objectsFile << "\n";
    return kExitBadInput;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    err << "egressdiag-probe: cannot read " << options.objectsFile << "\n";
    return kExitBadInput;
  }
  auto report = runChecks(options, text.str(), reader);
  if (!report) {
    err << "egressdiag-probe: " << options.objectsFile << ": " << report.error().message << "\n";
    return kExitBadInput;
  }
  out << (options.json ? renderJson(*report) : renderHuman(*report));
  return exitCodeOf(*report);
}

}  // namespace egressdiag::probe

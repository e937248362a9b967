#include "node-probe/cli/check_command.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "node-probe/runner/node_checks.h"
#include "operator/model/decode.h"
#include "rapidjson/prettywriter.h"
#include "rapidjson/stringbuffer.h"

namespace egressdiag::probe {
namespace {

using catalog::Finding;
using catalog::Status;

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
  std::vector<runner::Flavour> flavours = runner::flavoursOf(*objects);
  if (flavours.empty()) {
    std::string msg = "objects hold no spidernet or Azure egress-gateway objects";
    if (objects->ignoredItems > 0) {
      msg += " (" + std::to_string(objects->ignoredItems) + " items of unknown kinds ignored: " +
             (objects->notes.empty() ? std::string("?") : objects->notes.front()) + ")";
    }
    return fail(ErrorCode::InvalidInput, msg);
  }
  std::set<std::string> nodes = runner::knownNodes(*objects);
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
  runner::PassiveOptions passiveOptions;
  passiveOptions.timeout = options.timeout;
  runner::PassiveRun passive = runner::passiveChecks(*objects, options.node, reader, passiveOptions);
  runner::ActiveRun active = runner::activeChecks(
      *objects, options.node, reader,
      [&](const model::TargetRef&) -> std::optional<runner::EchoEndpoint> {
        if (options.echoUrl.empty()) {
          return std::nullopt;
        }
        return runner::EchoEndpoint{options.echoUrl, options.timeout};
      },
      runner::ActiveOptions{options.timeout, true});
  // Per flavour: passive checks, then its active ones, as the runbooks order them.
  for (std::size_t i = 0; i < flavours.size(); ++i) {
    report.flavours.emplace_back(runner::toString(flavours[i]));
    for (auto* run : {&passive.results, &active.results}) {
      for (Finding& f : (*run)[i].findings) {
        report.findings.push_back(std::move(f));
      }
    }
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

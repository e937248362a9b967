// libFuzzer target: parseIptablesSave and the save summary must return a value or an error on
// any input, never crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "node-probe/datapath/iptables_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace egressdiag::datapath;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto dump = parseIptablesSave(text);
  if (dump) {
    for (const auto& table : dump->tables) {
      for (const auto& rule : table.rules) {
        (void)ruleOption(rule, "--comment");
      }
      if (!table.chains.empty()) {
        (void)chainRules(table, table.chains.front().name);
      }
    }
  }
  std::vector<IptablesSave> saves;
  saves.push_back(buildIptablesSave(IptablesBackend::Nft, IpFamily::V4, "fuzz", text, ""));
  (void)summariseIptables(std::move(saves));
  return 0;
}

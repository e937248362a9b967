// libFuzzer target: both ipset text parsers and the netlink dump decoder must return a value or
// an error on any input.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>

#include "node-probe/datapath/ipset_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace egressdiag::datapath;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)parseIpsetSave(text);
  (void)parseIpsetList(text);
  // The same bytes as two dump messages (header then continuation), split in the middle.
  IpsetDumpDecoder decoder;
  const std::span<const std::uint8_t> bytes(data, size);
  if (decoder.addMessage(bytes.first(size / 2))) {
    (void)decoder.addMessage(bytes.subspan(size / 2));
  }
  // Members held as numbers render like text ones.
  for (const IpsetSet& set : std::move(decoder).take()) {
    (void)set.members.joined(", ", "Members: ", 32);
    (void)set.members.hash();
  }
  return 0;
}

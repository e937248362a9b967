// libFuzzer target: both ipset text parsers must return a value or an error on any input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "node-probe/datapath/ipset_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace egressdiag::datapath;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)parseIpsetSave(text);
  (void)parseIpsetList(text);
  return 0;
}

// Helper for datapath_kernel_test: runs readers in a process whose capabilities the test has
// dropped (setpriv), and prints one line per reader: "<part> ok" or "<part> <ErrorCode> <msg>".
//
//   datapath_cap_probe parts          # ipsets, iptables, links of the current namespace
//   datapath_cap_probe enter NAME     # enter /var/run/netns/NAME and dump links there
//   datapath_cap_probe arp IP         # ARP probe of IP from the current namespace
#include <cstdio>
#include <string>
#include <string_view>

#include "node-probe/datapath/reader.h"

namespace {

template <class T>
void report(const char* part, const egressdiag::Result<T>& r) {
  if (r) {
    std::printf("%s ok\n", part);
  } else {
    std::printf("%s %s %s\n", part, std::string(egressdiag::toString(r.error().code)).c_str(),
                r.error().message.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace egressdiag::datapath;
  const std::string_view mode = argc > 1 ? argv[1] : "";
  KernelDatapathReader reader;
  if (mode == "parts") {
    ReadOptions opts;
    opts.wireguard = false;
    auto snap = reader.readNetns(NetnsRef::host(), opts);
    report("netns", snap);
    if (snap) {
      report("links", snap->links);
      report("ipsets", snap->ipsets);
      report("iptables", snap->iptables);
    }
    return 0;
  }
  if (mode == "enter" && argc > 2) {
    ReadOptions opts;
    opts.ipsets = opts.iptables = opts.wireguard = false;
    report("enter", reader.readNetns(NetnsRef::named(argv[2]), opts));
    return 0;
  }
  if (mode == "arp" && argc > 2) {
    report("arp", reader.arpProbe(NetnsRef::host(), argv[2], std::chrono::milliseconds(300)));
    return 0;
  }
  std::fprintf(stderr, "usage: datapath_cap_probe parts | enter NAME | arp IP\n");
  return 2;
}

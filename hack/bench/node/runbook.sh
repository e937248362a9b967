#!/usr/bin/env bash
# One pass of the seed runbook's node commands over the bench netns, doing the comparisons our
# spidernet checks make for issue 5's node (what an operator would script by hand):
#   iptables-save          -> every expected egw rule present (hook + one mark rule per policy)
#   ipset list             -> every egress-src/dst set holds exactly the expected members
#   ip rule                -> one "99: from all fwmark <mark> lookup <mark>" per peer
#   ip route show table all -> "default via <tunnel ip> dev egress.vxlan table <mark>" per peer
# Prints what differs; exit 0 when the node matches, 1 otherwise.
#   runbook.sh NETNS GEN_DIR
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 NETNS GEN_DIR" >&2; exit 2; }
ns=$1 dir=$2
export LC_ALL=C
tmp=$(mktemp -d /tmp/edb-runbook.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
x=(ip netns exec "$ns")

"${x[@]}" iptables-save > "$tmp/save"
"${x[@]}" ipset list > "$tmp/ipset"
"${x[@]}" ip rule > "$tmp/rule"
# `ip route` ends some lines with a blank.
"${x[@]}" ip route show table all | sed 's/ $//' > "$tmp/route"

bad=0
# Lines of EXPECT_FILE that are not whole lines of OUTPUT_FILE.
missing() { grep -vxF -f "$2" "$1" || true; }

m=$(missing "$dir/rules.expect" "$tmp/save" | wc -l)
first=$(grep -m1 '^-A PREROUTING ' "$tmp/save" || true)
[[ $first == "$(head -n1 "$dir/rules.expect")" ]] || { echo "hook rule not first"; bad=1; }
[[ $m -eq 0 ]] || { echo "iptables: $m expected rules missing"; bad=1; }

awk '/^Name: /{set=$2} /^Members:/{on=1; next} /^$/{on=0} on && NF {print set " " $1}' \
  "$tmp/ipset" | sort > "$tmp/members"
d=$(comm -3 "$tmp/members" "$dir/ipset.expect" | wc -l)
[[ $d -eq 0 ]] || { echo "ipset: $d members missing or extra"; bad=1; }

m=$(missing "$dir/iprule.expect" "$tmp/rule" | wc -l)
[[ $m -eq 0 ]] || { echo "ip rule: $m fwmark rules missing"; bad=1; }

m=$(missing "$dir/route.expect" "$tmp/route" | wc -l)
[[ $m -eq 0 ]] || { echo "routes: $m default routes missing"; bad=1; }

exit $bad

#!/usr/bin/env bash
# The shipped alert rules (config/prometheus/rules.yaml) pass `promtool check rules` and the unit
# tests in alerts/*.test.yaml (`promtool test rules`); every alert has a severity, a runbook_url,
# a docs/alerts.md entry, and unit tests where it fires and where it does not.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rules=$root/config/prometheus/rules.yaml
fail() { echo "FAIL: $*" >&2; exit 1; }

promtool=$("$root/hack/promtool/build.sh")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The PrometheusRule's spec, dedented, is a Prometheus rule file; spec must be the last key.
awk '
  found && /^[^ #]/ { print "top-level key after spec: " $0 > "/dev/stderr"; exit 3 }
  found { sub(/^  /, ""); print; next }
  /^spec:$/ { found = 1 }
  END { if (!found) { print "no spec:" > "/dev/stderr"; exit 3 } }
' "$rules" >"$work/egressdiag.rules.yaml" || fail "cannot extract spec from $rules"

"$promtool" check rules "$work/egressdiag.rules.yaml"

mapfile -t alerts < <(sed -n 's/^ *- alert: *\([A-Za-z0-9]*\) *$/\1/p' "$work/egressdiag.rules.yaml")
((${#alerts[@]} >= 7)) || fail "expected at least 7 alerts, found ${#alerts[@]}"

# Each alert block (up to the next rule) must carry severity and runbook_url.
for a in "${alerts[@]}"; do
  block=$(awk -v a="$a" '
    $0 ~ "- alert: " a "$" { on = 1; print; next }
    on && /^ *- (alert|record):/ { exit }
    on && /^ *- name:/ { exit }
    on { print }' "$work/egressdiag.rules.yaml")
  grep -Eq '^ +severity: (critical|warning|info)$' <<<"$block" || fail "$a: no severity label"
  grep -Eq '^ +runbook_url: https://[^ ]+/docs/(alerts|checks)\.md#[a-z0-9{}$ .|A-Za-z-]+$' \
    <<<"$block" || fail "$a: no runbook_url into docs/alerts.md or docs/checks.md"
  # Entries in docs/alerts.md: the runbook of alerts not tied to one check, and the reference.
  grep -q "^## $a\$" "$root/docs/alerts.md" || fail "$a: no '## $a' entry in docs/alerts.md"
  # A runbook_url into docs/alerts.md must use that entry's anchor.
  if grep -q 'runbook_url: .*/docs/alerts.md#' <<<"$block"; then
    anchor=$(tr '[:upper:]' '[:lower:]' <<<"$a")
    grep -q "runbook_url: .*/docs/alerts.md#$anchor\$" <<<"$block" ||
      fail "$a: runbook_url anchor is not #$anchor"
  fi
done

# Every metric the rules read is in the metrics reference.
while read -r metric; do
  grep -q "\`$metric\`" "$root/docs/metrics.md" || fail "$metric is not documented in docs/metrics.md"
done < <(grep -o 'egressdiag_[a-z_]*' "$work/egressdiag.rules.yaml" | sort -u)

cp "$root"/tests/install/alerts/*.test.yaml "$work/"
# Every alert needs a case where it fires (exp_alerts with entries) and one where it does not.
for a in "${alerts[@]}"; do
  cases=$(awk -v a="$a" '
    /alertname:/ { cur = $2; next }
    cur == a && /exp_alerts: *\[\]/ { print "quiet"; cur = ""; next }
    cur == a && /exp_alerts: *$/ { print "fires"; cur = ""; next }' "$work"/*.test.yaml | sort -u)
  grep -qx fires <<<"$cases" || fail "$a: no unit test where it fires"
  grep -qx quiet <<<"$cases" || fail "$a: no unit test where it stays quiet"
done

(cd "$work" && "$promtool" test rules ./*.test.yaml)
echo "alerts: ${#alerts[@]} alerts checked and unit-tested"

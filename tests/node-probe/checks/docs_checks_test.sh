#!/usr/bin/env bash
# docs/checks.md is the output of `egressdiag-probe catalog`: fails when they drift apart, when a
# link into it (alert runbook_urls, docs) names an anchor with no heading, when README.md does not
# link a page of docs/, or when a relative link in README.md, checks.md, troubleshooting.md or
# architecture.md points at a missing file or heading.
#   docs_checks_test.sh PROBE DOCS_FILE   (regenerate: PROBE catalog > docs/checks.md)
set -euo pipefail
probe=$1
docs=$2
root=$(cd "$(dirname "$docs")/.." && pwd)
passed=0
failed=0
ok() { passed=$((passed + 1)); }
fail() {
  echo "FAIL: $*"
  failed=$((failed + 1))
}

# GitHub's anchors of a markdown file's headings: lower case, punctuation other than '-' and '_'
# dropped, spaces become '-'. Fenced code blocks are not headings.
anchors_of() {
  awk '/^```/ { fence = !fence; next } !fence && /^#+ / { sub(/^#+ /, ""); print }' "$1" |
    tr '[:upper:]' '[:lower:]' | sed -e 's/[^a-z0-9 _-]//g' -e 's/ /-/g'
}

if diff -u "$docs" <("$probe" catalog); then
  ok
else
  fail "docs/checks.md is stale: run '$probe catalog > docs/checks.md'"
fi
mapfile -t anchors < <(anchors_of "$docs")

# Templated runbook_urls ({{ $labels.check | toLower }}) resolve only if every check heading is
# the bare ID, so that its anchor is the lower-cased check label.
mapfile -t ids < <(sed -n 's/^### \(.*\)$/\1/p' "$docs")
((${#ids[@]} > 0)) || fail "no '### <ID>' headings in $docs"
bad=0
for id in "${ids[@]}"; do
  [[ $id =~ ^[A-Z0-9]+(-[A-Z0-9]+)+$ ]] || { fail "heading '### $id' is not a bare check ID"; bad=1; }
done
((bad)) || ok

# Every literal link into checks.md from the alert rules, their tests and the docs.
links=0
while IFS=: read -r file anchor; do
  links=$((links + 1))
  if printf '%s\n' "${anchors[@]}" | grep -qxF -- "$anchor"; then
    ok
  else
    fail "${file#"$root"/} links checks.md#$anchor, which is no heading of docs/checks.md"
  fi
done < <(grep -oHE 'checks\.md#[A-Za-z0-9_-]+' \
  "$root"/config/prometheus/*.yaml "$root"/tests/install/alerts/*.yaml "$root"/docs/*.md \
  "$root"/README.md 2>/dev/null | sed 's/:[^:]*checks\.md#/:/')
((links > 0)) || fail "found no links into checks.md (alert rules moved?)"

# README.md links every page of docs/.
for page in "$root"/docs/*.md; do
  rel=docs/$(basename "$page")
  if grep -qF "]($rel" "$root/README.md"; then ok; else fail "README.md does not link $rel"; fi
done

# Relative links (and their anchors) in the pages this test owns.
for page in "$root"/README.md "$root"/docs/checks.md "$root"/docs/troubleshooting.md \
  "$root"/docs/architecture.md; do
  [[ -f $page ]] || { fail "${page#"$root"/} does not exist"; continue; }
  dir=$(dirname "$page")
  while read -r target; do
    file=${target%%#*}
    anchor=
    [[ $target == *'#'* ]] && anchor=${target#*#}
    [[ -n $file ]] && path=$dir/$file || path=$page
    if [[ ! -e $path ]]; then
      fail "${page#"$root"/} links $target: no such file"
    elif [[ -n $anchor ]] && ! anchors_of "$path" | grep -qxF -- "$anchor"; then
      fail "${page#"$root"/} links $target: no such heading"
    else
      ok
    fi
  done < <(grep -oE '\]\([^)[:space:]]+\)' "$page" | sed -e 's/^](//' -e 's/)$//' |
    grep -vE '^[a-z]+:' || true)
done

echo "$passed passed, $failed failed"
((failed == 0))

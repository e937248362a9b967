#!/usr/bin/env bash
# docs/checks.md is the output of `egressdiag-probe catalog`: fails when they drift apart.
#   docs_checks_test.sh PROBE DOCS_FILE   (regenerate: PROBE catalog > docs/checks.md)
set -euo pipefail
if diff -u "$2" <("$1" catalog); then
  echo "1 passed, 0 failed"
else
  echo "docs/checks.md is stale: run '$1 catalog > docs/checks.md'"
  echo "0 passed, 1 failed"
  exit 1
fi

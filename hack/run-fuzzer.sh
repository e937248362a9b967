#!/usr/bin/env bash
# Runs one libFuzzer binary for a bounded time over a scratch copy of its committed corpus
# (new inputs land in the scratch dir, never in tests/). Fails on any crash, leak or timeout
# and prints the offending input.
#
#   run-fuzzer.sh FUZZER CORPUS_DIR SECONDS
set -euo pipefail
fuzzer=$1 corpus=$2 seconds=$3
[[ -x $fuzzer ]] || { echo "run-fuzzer: $fuzzer not built (hack/test.sh builds fuzzers first)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
[[ -d $corpus ]] && cp -r "$corpus"/. "$work/corpus/" 2>/dev/null || true
set +e
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$work/corpus" >"$work/log" 2>&1
rc=$?
set -e
if ((rc == 0)); then
  tail -n 15 "$work/log"
else
  # The whole report: the stack trace of a crash starts well above the final statistics.
  tail -n 80 "$work/log"
  # Failing inputs are kept (the scratch dir goes) so they can be replayed:
  # FUZZER INPUT runs one input once.
  keep=${FUZZ_ARTIFACTS_DIR:-${TMPDIR:-/tmp}/egressdiag-fuzz-artifacts}
  mkdir -p "$keep"
  for f in "$work/artifacts"/*; do
    [[ -f $f ]] || continue
    cp "$f" "$keep/$(basename "$fuzzer")-$(basename "$f")"
    echo "--- failing input $(basename "$f"), $(wc -c <"$f") bytes, kept as" \
      "$keep/$(basename "$fuzzer")-$(basename "$f") (hex, first 4096 bytes):"
    head -c 4096 "$f" | od -An -tx1 -v
  done
fi
exit $rc

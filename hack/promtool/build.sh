#!/usr/bin/env bash
# Builds (once per version) promtool, which the alert-rule tests run (`promtool check rules`,
# `promtool test rules`), from the Go module proxy via the wrapper module in ./mod. Same pattern
# as hack/testenv/build.sh: cached outside the repository keyed by version, one build at a time.
# Output: $EGRESSDIAG_PROMTOOL_BIN (default ~/.cache/egressdiag/promtool/<version>), printed last.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# The version lives in mod/go.mod only, so go.mod, go.sum and the cache key cannot disagree.
version=$(sed -n 's|^require github.com/prometheus/prometheus \(v[^ ]*\)$|\1|p' "$here/mod/go.mod")
[[ -n $version ]] || { echo "promtool/build: no prometheus version in $here/mod/go.mod" >&2; exit 1; }
out=${EGRESSDIAG_PROMTOOL_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/egressdiag/promtool/$version}
mkdir -p "$out"
log() { echo "promtool/build: $*" >&2; }
# Several tests may ask at once (ctest -j): one builds, the others wait for it.
exec 9>"$out/.build.lock"
flock 9

if [[ ! -x "$out/promtool" ]]; then
  log "building promtool (prometheus module $version; first run on this machine; cached in $out)"
  start=$SECONDS
  (
    cd "$here/mod"
    # -mod=readonly: go.sum (committed) pins every hash; never rewrite it.
    GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=readonly -p=2" \
      go build -trimpath -ldflags "-s -w" -o "$out/promtool.tmp" \
      github.com/prometheus/prometheus/cmd/promtool
  )
  mv "$out/promtool.tmp" "$out/promtool"
  log "built promtool in $((SECONDS - start)) s"
fi
"$out/promtool" --version >/dev/null 2>&1 || { log "$out/promtool does not run"; exit 1; }
echo "$out/promtool"

#!/usr/bin/env bash
# The test command: bootstrap, build the test control plane (cached), configure and build
# egressdiag and its fuzzers, then run every test through ctest and print ctest's summary.
#
#   ./hack/test.sh [ctest args...]     e.g. ./hack/test.sh -L lab, ./hack/test.sh -R model
#
# Environment: EGRESSDIAG_BUILD_DIR (default ./build), EGRESSDIAG_SANITIZE=1 (ASan+UBSan build),
# EGRESSDIAG_FUZZ_SECONDS (default 20 per fuzzer), EGRESSDIAG_CTEST_JOBS (default 2).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${EGRESSDIAG_BUILD_DIR:-$root/build}
jobs=${EGRESSDIAG_CTEST_JOBS:-2}
step() { printf '\n== %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }
t0=$SECONDS

step "bootstrap"
./hack/bootstrap.sh

step "test control plane binaries"
t=$SECONDS
./hack/testenv/build.sh >/dev/null
echo "control plane binaries ready in $((SECONDS - t)) s"

step "promtool (alert rule tests)"
t=$SECONDS
./hack/promtool/build.sh >/dev/null
echo "promtool ready in $((SECONDS - t)) s"

sanitize=()
if [[ ${EGRESSDIAG_SANITIZE:-0} == 1 ]]; then
  sanitize=(-DEGRESSDIAG_ASAN=ON -DEGRESSDIAG_UBSAN=ON)
fi

step "fuzzers (clang 16, libFuzzer)"
t=$SECONDS
cmake -S . -B "$build/fuzz" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++-16 -DEGRESSDIAG_FUZZ=ON >/dev/null
cmake --build "$build/fuzz" --target fuzzers -j2
echo "fuzzers built in $((SECONDS - t)) s"

step "configure and build"
t=$SECONDS
cmake -S . -B "$build" -G Ninja -DEGRESSDIAG_FUZZ_BIN_DIR="$build/fuzz" \
  -DEGRESSDIAG_FUZZ_SECONDS="${EGRESSDIAG_FUZZ_SECONDS:-20}" "${sanitize[@]}" >/dev/null
cmake --build "$build" -j2
echo "built in $((SECONDS - t)) s"

step "ctest"
t=$SECONDS
set +e
ctest --test-dir "$build" --output-on-failure -j "$jobs" "$@"
rc=$?
set -e
echo "ctest ran in $((SECONDS - t)) s; ./hack/test.sh total $((SECONDS - t0)) s"
exit $rc

#!/usr/bin/env bash
# Detection-latency and footprint benchmark (issue 7): brings up the control plane, the
# spidernet lab, the operator and the probes (hack/lab/cluster.sh), runs
# detection_bench.py with the given arguments, and tears down what it started.
#   hack/bench/detection/run.sh [--build-dir DIR] [detection_bench.py args...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
build=${EGRESSDIAG_BUILD_DIR:-$repo/build}
if [[ ${1:-} == --build-dir ]]; then
  build=$2
  shift 2
fi
export EGRESSDIAG_CLUSTER_DIR
EGRESSDIAG_CLUSTER_DIR=$(mktemp -d /tmp/egressdiag-detection-bench.XXXXXX)
# Below the kernel's ephemeral port range (32768+), so no client connection holds them.
export EGRESSDIAG_CLUSTER_PORT_BASE=${EGRESSDIAG_CLUSTER_PORT_BASE:-30700}
"$repo/hack/lab/cluster.sh" up --labs spidernet --samples --build-dir "$build" >&2
trap '"$repo/hack/lab/cluster.sh" down >&2; rm -rf "$EGRESSDIAG_CLUSTER_DIR"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$here/detection_bench.py" "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Versions of the test control plane, shared by build.sh and up.sh. The binaries are cached
# outside the repository, keyed by version, so changing a version here rebuilds once.
# v1.33.13: the newest 1.33 patch whose staging modules the Go module proxy serves in full.
K8S_VERSION=v1.33.13
KUBECTL_PREBUILT=/usr/lib/google-cloud-sdk/bin/kubectl.1.33
testenv_bin_dir() {
  echo "${EGRESSDIAG_TESTENV_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/egressdiag/testenv/$K8S_VERSION}"
}

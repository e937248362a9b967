#!/usr/bin/env bash
# Builds (once per version) the control-plane binaries the tests run: kube-apiserver and
# kube-controller-manager from the Go module proxy via the wrapper module in ./k8s, plus etcd
# unpacked from Debian's etcd-server package (never installed, so no service is started).
# Output: $EGRESSDIAG_TESTENV_BIN (default ~/.cache/egressdiag/testenv/v<version>), printed last.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=hack/testenv/versions.sh
source "$here/versions.sh"
out=$(testenv_bin_dir)
mkdir -p "$out"
log() { echo "testenv/build: $*" >&2; }
# Several up.sh may start at once (ctest fixture, tests with a private plane): one builds, the
# others wait for it instead of compiling the same binaries side by side.
exec 9>"$out/.build.lock"
flock 9

build_k8s() {
  local name=$1
  [[ -x "$out/$name" ]] && return 0
  log "building $name $K8S_VERSION (first run on this machine; cached in $out)"
  local start=$SECONDS ldf="-s -w" pkg date
  date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  local minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldf+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldf+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  (
    cd "$here/k8s"
    # GONOSUMDB: the proxy's checksum database has no entries for several k8s.io staging
    # modules; go.sum (committed) pins their hashes instead. -mod=readonly: never rewrite go.sum.
    GOTOOLCHAIN=local CGO_ENABLED=0 GONOSUMDB=k8s.io GOFLAGS="-mod=readonly -p=2" \
      go build -trimpath -tags selinux,notest,grpcnotrace -ldflags "$ldf" \
      -o "$out/$name.tmp" "k8s.io/kubernetes/cmd/$name"
  )
  mv "$out/$name.tmp" "$out/$name"
  log "built $name in $((SECONDS - start)) s"
}

fetch_etcd() {
  [[ -x "$out/etcd" ]] && return 0
  log "unpacking etcd from Debian's etcd-server package"
  local tmp
  tmp=$(mktemp -d)
  # apt-get download needs no root and installs nothing; the postinst (which would start a
  # system etcd) never runs.
  if ! (cd "$tmp" && apt-get download etcd-server >/dev/null 2>&1); then
    # A machine whose package lists were never fetched cannot locate the package yet.
    local sudo=""
    ((EUID == 0)) || sudo=sudo
    $sudo apt-get update -qq
    (cd "$tmp" && apt-get download etcd-server >/dev/null 2>&1) ||
      { log "apt-get download etcd-server failed"; exit 1; }
  fi
  dpkg-deb -x "$tmp"/etcd-server_*.deb "$tmp/x"
  install -m 0755 "$tmp/x/usr/bin/etcd" "$out/etcd"
  rm -rf "$tmp"
}

fetch_kubectl() {
  [[ -x "$out/kubectl" ]] && return 0
  if [[ -x $KUBECTL_PREBUILT ]]; then
    ln -sf "$KUBECTL_PREBUILT" "$out/kubectl"
  else
    build_k8s kubectl
  fi
}

fetch_etcd
build_k8s kube-apiserver
build_k8s kube-controller-manager
fetch_kubectl
"$out/kube-apiserver" --version | grep -q "Kubernetes $K8S_VERSION" || {
  log "kube-apiserver in $out does not report $K8S_VERSION"; exit 1; }
echo "$out"

#!/usr/bin/env bash
# Installs every Debian package egressdiag needs to build, test and run, and nothing that is
# already there. Idempotent; the only manual set-up a fresh machine needs. Never starts a
# service: a temporary policy-rc.d refuses every start request while apt runs.
#
#   hack/bootstrap.sh              install what is missing
#   hack/bootstrap.sh --print NAME print one package list (build|runtime|test), one per line
set -euo pipefail

# Libraries and tools to compile (stack.md §2.0). libboost1.81-dev, never libboost-dev (1.74).
build_packages=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev rapidjson-dev libnl-3-dev libnl-route-3-dev libnl-genl-3-dev libipset-dev
  prometheus-cpp-dev libspdlog-dev libgtest-dev libgmock-dev libssl-dev libyaml-cpp-dev
  clang-format clang-tidy
)
# What the two binaries shell out to or load at run time (the container images install these).
runtime_packages=(
  iptables ipset iproute2 wireguard-tools iputils-ping ca-certificates
  libnl-3-200 libnl-route-3-200 libnl-genl-3-200 libipset13 libprometheus-cpp-pull1.0
  libprometheus-cpp-core1.0 libspdlog1.10 libyaml-cpp0.7 libssl3
)
# Tests: the lab (wireguard-go, python3 echo server), the control plane (etcd is unpacked
# from etcd-server by hack/testenv/build.sh, not installed), fuzzers (clang 16 + its runtime).
test_packages=(
  wireguard-go python3 curl jq openssl util-linux procps lua5.4 bc
  clang-16 libclang-rt-16-dev
)

if [[ ${1:-} == --print ]]; then
  declare -n list="${2:?build|runtime|test}_packages"
  printf '%s\n' "${list[@]}"
  exit 0
fi

missing=()
for p in "${build_packages[@]}" "${runtime_packages[@]}" "${test_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}" >&2
  sudo=""
  ((EUID == 0)) || sudo=sudo
  policy=/usr/sbin/policy-rc.d
  added_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 0755 "$policy"
    added_policy=1
  fi
  trap '((added_policy)) && $sudo rm -f "$policy"' EXIT
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
else
  echo "bootstrap: all packages present" >&2
fi

# The test control plane and promtool are built from the Go module proxy; promtool's module
# needs Go >= 1.26 (kube-apiserver 1.33 alone would take 1.24).
if ! command -v go >/dev/null 2>&1; then
  echo "bootstrap: Go >= 1.26 is required to build the test control plane (not found)" >&2
  exit 1
fi
go_minor=$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
if [[ -z $go_minor ]] || ((go_minor < 26)); then
  echo "bootstrap: Go >= 1.26 is required, found $(go env GOVERSION)" >&2
  exit 1
fi

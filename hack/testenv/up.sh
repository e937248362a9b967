#!/usr/bin/env bash
# Starts a real control plane for tests: etcd + kube-apiserver (+ optionally
# kube-controller-manager) on 127.0.0.1 random free ports. TLS with a generated CA, RBAC,
# client-cert admin in system:masters, service-account signing keys (TokenRequest works).
#
#   up.sh [--state-dir DIR] [--with-controller-manager]
#
# Writes DIR/env (KEY=VALUE: TESTENV_SERVER, TESTENV_CA, KUBECONFIG, KUBECTL, pids, ...) and
# DIR/admin.kubeconfig, waits for /readyz and the default namespace, prints DIR.
# An existing DIR from an earlier run is torn down first (down.sh), so a crash never wedges us.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/versions.sh"

state=""
with_kcm=0
while (($#)); do
  case $1 in
    --state-dir) state=$2; shift 2 ;;
    --with-controller-manager) with_kcm=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "up.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -n $state ]] || state=$(mktemp -d /tmp/egressdiag-testenv.XXXXXX)
if [[ -f $state/env ]]; then "$here/down.sh" --state-dir "$state" >/dev/null 2>&1 || true; fi
mkdir -p "$state"
state=$(cd "$state" && pwd)

bin=$("$here/build.sh")
kubectl="$bin/kubectl"
pki=$state/pki
mkdir -p "$pki" "$state/etcd"
log() { echo "testenv/up: $*" >&2; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_for() { # seconds cmd...
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}
alive() { kill -0 "$1" 2>/dev/null; }

# --- PKI: one CA signs the serving cert and the client certs ------------------------------
(
  cd "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -days 7 -keyout ca.key -out ca.crt \
    -subj /CN=egressdiag-testenv-ca 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n' >srv.ext
  printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n' >cli.ext
  openssl req -new -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr \
    -subj /CN=kube-apiserver 2>/dev/null
  openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 7 \
    -extfile srv.ext -out apiserver.crt 2>/dev/null
  openssl req -new -newkey rsa:2048 -nodes -keyout admin.key -out admin.csr \
    -subj "/O=system:masters/CN=egressdiag-testenv-admin" 2>/dev/null
  openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 7 \
    -extfile cli.ext -out admin.crt 2>/dev/null
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sa.key 2>/dev/null
  openssl pkey -in sa.key -pubout -out sa.pub
)

etcd_port=$(free_port); peer_port=$(free_port); api_port=$(free_port)

# --- etcd ------------------------------------------------------------------------------------
"$bin/etcd" --name=default --data-dir="$state/etcd" \
  --listen-client-urls="http://127.0.0.1:$etcd_port" --advertise-client-urls="http://127.0.0.1:$etcd_port" \
  --listen-peer-urls="http://127.0.0.1:$peer_port" --initial-advertise-peer-urls="http://127.0.0.1:$peer_port" \
  --initial-cluster="default=http://127.0.0.1:$peer_port" --unsafe-no-fsync=true \
  --logger=zap --log-level=warn >"$state/etcd.log" 2>&1 &
etcd_pid=$!
echo "$etcd_pid" >"$state/etcd.pid"
if ! wait_for 30 curl -fsS "http://127.0.0.1:$etcd_port/health"; then
  log "etcd did not become healthy; see $state/etcd.log"; tail -20 "$state/etcd.log" >&2
  "$here/down.sh" --state-dir "$state" --keep >/dev/null 2>&1 || true; exit 1
fi

# --- kube-apiserver --------------------------------------------------------------------------
apiserver_args=(
  --etcd-servers="http://127.0.0.1:$etcd_port"
  --bind-address=127.0.0.1 --secure-port="$api_port"
  --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key"
  --client-ca-file="$pki/ca.crt"
  --authorization-mode=RBAC
  --service-account-issuer=https://kubernetes.default.svc
  --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key"
  --service-cluster-ip-range=10.0.0.0/24
  --disable-admission-plugins=ServiceAccount --allow-privileged=true --profiling=false --v=1
)
# Without a default route the apiserver cannot pick an advertise address by itself.
if ! ip route show default 2>/dev/null | grep -q default; then
  apiserver_args+=(--advertise-address=127.0.0.1)
fi
# Kept in a file so tests can restart the apiserver on the same etcd (watch-resume tests).
printf '%q ' "$bin/kube-apiserver" "${apiserver_args[@]}" >"$state/kube-apiserver.cmd"
"$bin/kube-apiserver" "${apiserver_args[@]}" >"$state/kube-apiserver.log" 2>&1 &
api_pid=$!
echo "$api_pid" >"$state/kube-apiserver.pid"
server="https://127.0.0.1:$api_port"
start=$SECONDS
if ! wait_for 120 curl -fsS --cacert "$pki/ca.crt" "$server/readyz"; then
  log "kube-apiserver not ready after 120 s; see $state/kube-apiserver.log"
  tail -20 "$state/kube-apiserver.log" >&2
  "$here/down.sh" --state-dir "$state" --keep >/dev/null 2>&1 || true; exit 1
fi

# --- kubeconfig --------------------------------------------------------------------------------
kc=$state/admin.kubeconfig
k() { "$kubectl" --kubeconfig="$kc" "$@"; }
k config set-cluster testenv --server="$server" --certificate-authority="$pki/ca.crt" --embed-certs=true >/dev/null
k config set-credentials admin --client-certificate="$pki/admin.crt" --client-key="$pki/admin.key" --embed-certs=true >/dev/null
k config set-context testenv --cluster=testenv --user=admin >/dev/null
k config use-context testenv >/dev/null
wait_for 30 k get namespace default || { log "namespace default never appeared"; exit 1; }
log "kube-apiserver ready in $((SECONDS - start)) s at $server"

kcm_pid=""
if ((with_kcm)); then
  kcm_port=$(free_port)
  "$bin/kube-controller-manager" --kubeconfig="$kc" \
    --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc" \
    --bind-address=127.0.0.1 --secure-port="$kcm_port" --leader-elect=false \
    --use-service-account-credentials=false \
    --controllers=garbage-collector-controller,namespace-controller,clusterrole-aggregation-controller,serviceaccount-controller,serviceaccount-token-controller,root-ca-certificate-publisher-controller \
    --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" --v=1 \
    >"$state/kube-controller-manager.log" 2>&1 &
  kcm_pid=$!
  echo "$kcm_pid" >"$state/kube-controller-manager.pid"
  wait_for 60 curl -fsSk "https://127.0.0.1:$kcm_port/healthz" ||
    { log "kube-controller-manager not healthy; see $state/kube-controller-manager.log"; exit 1; }
fi

cat >"$state/env" <<ENV
TESTENV_DIR=$state
TESTENV_SERVER=$server
TESTENV_CA=$pki/ca.crt
TESTENV_ADMIN_CERT=$pki/admin.crt
TESTENV_ADMIN_KEY=$pki/admin.key
TESTENV_CA_KEY=$pki/ca.key
TESTENV_ETCD=http://127.0.0.1:$etcd_port
TESTENV_BIN=$bin
TESTENV_VERSION=$K8S_VERSION
TESTENV_ETCD_PID=$etcd_pid
TESTENV_APISERVER_PID=$api_pid
TESTENV_KCM_PID=$kcm_pid
KUBECONFIG=$kc
KUBECTL=$kubectl
ENV
echo "$state"

#!/usr/bin/env bash
# egressdiag end to end on the datapath lab: a real control plane (hack/testenv), the lab's
# objects, the operator and one `egressdiag-probe run` per lab node, each with the token of its
# own ServiceAccount bound only by config/rbac (docs/demo.md).
#
#   cluster.sh up [--labs spidernet,azure] [--testenv DIR] [--reuse-labs] [--build-dir DIR]
#                 [--operator BIN] [--probe BIN] [--no-probes] [--no-operator] [--samples]
#   cluster.sh down                 stops what up started (by recorded PID), labs and control
#                                   plane only if up created them
#   cluster.sh status               control plane, labs, and node -> ports -> pid -> log
#   cluster.sh env                  shell assignments: KUBECONFIG (admin), KUBECTL, ...
#   cluster.sh samples              applies config/samples, retargeted to the labs that are up
#                                   (up --samples: before the daemons start)
#   cluster.sh stop|start NAME      one component: `operator` or a lab node name
#   cluster.sh kubeconfig NAME      the kubeconfig NAME runs with (operator, a node, admin)
#   cluster.sh can-i NAME           `kubectl auth can-i --list` with that kubeconfig
#   cluster.sh tokens               renews every component's token (they last 24 h)
#
# State: $EGRESSDIAG_CLUSTER_DIR (default /run/egressdiag-cluster). Binaries: --operator/--probe,
# else $EGRESSDIAG_OPERATOR/$EGRESSDIAG_PROBE, else under --build-dir / $EGRESSDIAG_BUILD_DIR
# (default ./build). Control plane: --testenv DIR or $EGRESSDIAG_TESTENV_DIR reuses a running
# one (the ctest fixture); otherwise one is started under the state dir. Loopback ports start at
# $EGRESSDIAG_CLUSTER_PORT_BASE (default 29700). Extra probe flags: $EGRESSDIAG_PROBE_ARGS.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

CL_ROOT=$(cd "$LAB_HERE/../.." && pwd)
CL_STATE=${EGRESSDIAG_CLUSTER_DIR:-/run/egressdiag-cluster}
CL_NS=egressdiag-system
CL_PORT_BASE=${EGRESSDIAG_CLUSTER_PORT_BASE:-29700}
CL_TOKEN_TTL=24h

cl_log() { echo "cluster: $*" >&2; }
cl_die() {
  echo "cluster: error: $*" >&2
  exit 1
}

# cl_env_get KEY: a value from the state's env file.
cl_env_get() { sed -n "s/^$1=//p" "$CL_STATE/env" 2>/dev/null | tail -1; }

cl_require_up() {
  [[ -f $CL_STATE/env ]] || cl_die "not up (no $CL_STATE/env); run: cluster.sh up"
}

cl_kubectl() { "$(cl_env_get KUBECTL)" --kubeconfig="$(cl_env_get KUBECONFIG)" "$@"; }

# Fixed loopback ports, so a person or a test can find them without reading the state:
# operator BASE+80 (metrics) / +81 (health); probe on the i-th node of a flavour (1-based, in
# lab.env order): BASE + (0 spidernet | 100 azure) + 10*i + 1 / + 2.
cl_ports() { # cl_ports FLAVOUR INDEX -> "metrics health"
  local off=0
  [[ $1 == azure ]] && off=100
  echo "$((CL_PORT_BASE + off + 10 * $2 + 1)) $((CL_PORT_BASE + off + 10 * $2 + 2))"
}

# cl_kubeconfig FILE USER TOKEN_FILE: kubeconfig that authenticates with a token file (the
# client re-reads it, so `cluster.sh up` on a running state can rotate tokens in place).
cl_kubeconfig() {
  local server ca
  server=$(sed -n 's/^TESTENV_SERVER=//p' "$CL_TESTENV/env")
  ca=$(sed -n 's/^TESTENV_CA=//p' "$CL_TESTENV/env")
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: testenv
    cluster:
      server: $server
      certificate-authority-data: $(base64 -w0 "$ca")
users:
  - name: $2
    user:
      tokenFile: $3
contexts:
  - name: $2
    context: {cluster: testenv, user: $2}
current-context: $2
EOF
  chmod 600 "$1"
}

# cl_token FILE SA [NODE]: TokenRequest for SA; bound to the Node object when NODE is given,
# which puts authentication.kubernetes.io/node-name in the caller's user info — what the
# node-report-owner admission policy checks (a DaemonSet pod's token carries it through the
# pod's node; testenv has no kubelet, so the token is bound to the Node directly).
cl_token() {
  local args=(create token "$2" -n "$CL_NS" --duration "$CL_TOKEN_TTL")
  [[ -z ${3:-} ]] || args+=(--bound-object-kind Node --bound-object-name "$3")
  (umask 077 && cl_kubectl "${args[@]}" >"$1.tmp") || cl_die "TokenRequest for $2 ${3:-} failed"
  mv "$1.tmp" "$1"
}

# cl_start NAME CMD...: a detached daemon recorded with PID and start time (lib.sh lab_start).
cl_start() {
  local LAB_STATE=$CL_STATE
  lab_start "$@"
}

cl_pid() { # cl_pid NAME -> pid if it is alive
  local pid start f=$CL_STATE/pids/$1.pid
  [[ -f $f ]] || return 1
  read -r pid start <"$f" || return 1
  lab_alive "$pid" "$start" && echo "$pid"
}

# cl_wait_health NAME PORT: /healthz answers 200, or the daemon died (its log tail is shown).
cl_wait_health() {
  local deadline=$((SECONDS + 60))
  until curl -fsS --max-time 1 "http://127.0.0.1:$2/healthz" >/dev/null 2>&1; do
    if ! cl_pid "$1" >/dev/null; then
      tail -n 15 "$CL_STATE/logs/$1.log" >&2 || true
      cl_die "$1 exited during start-up (log: $CL_STATE/logs/$1.log)"
    fi
    ((SECONDS < deadline)) || cl_die "$1: no /healthz on 127.0.0.1:$2 after 60 s"
    sleep 0.2
  done
}

# components: one line per daemon: NAME FLAVOUR NODE METRICS_PORT HEALTH_PORT
cl_component() { awk -v n="$1" '$1 == n' "$CL_STATE/components"; }

cl_start_component() {
  local name=$1 line flavour node metrics health netns dir
  line=$(cl_component "$name")
  [[ -n $line ]] || cl_die "no component '$name' (see cluster.sh status)"
  read -r name flavour node metrics health <<<"$line"
  if cl_pid "$name" >/dev/null; then
    cl_log "$name already running"
    return 0
  fi
  if [[ $name == operator ]]; then
    cl_start operator "$(cl_env_get OPERATOR_BIN)" \
      --kubeconfig "$CL_STATE/kubeconfigs/operator.kubeconfig" --namespace "$CL_NS" \
      --metrics-bind-address "127.0.0.1:$metrics" --health-probe-bind-address "127.0.0.1:$health" \
      --leader-elect --log-format text
  else
    lab_load "$flavour"
    netns=$(lab_nvar "$node" NETNS)
    dir=$(lab_nvar "$node" DIR)
    # Root network namespace (the apiserver is on 127.0.0.1); the node's datapath through
    # --host-netns and its private views (what /var/run/netns etc. are on that node).
    # shellcheck disable=SC2086
    cl_start "$name" "$(cl_env_get PROBE_BIN)" run --node-name "$node" \
      --kubeconfig "$CL_STATE/kubeconfigs/probe-$node.kubeconfig" --namespace "$CL_NS" \
      --metrics-bind-address "127.0.0.1:$metrics" --health-probe-bind-address "127.0.0.1:$health" \
      --host-netns "/run/netns/$netns" --netns-dir "$dir/netns" --cni-conf-dir "$dir/cni" \
      --wireguard-dir "$dir/wireguard" --log-format text ${EGRESSDIAG_PROBE_ARGS:-}
  fi
  cl_wait_health "$name" "$health"
}

# cl_stop_pidfile FILE: SIGTERM the recorded process if it is still the one started, SIGKILL
# after 10 s (the DaemonSet's terminationGracePeriodSeconds).
cl_stop_pidfile() {
  local pid start i
  read -r pid start <"$1" || true
  if [[ $pid =~ ^[0-9]+$ ]] && [[ -n $start ]] && lab_alive "$pid" "$start"; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 200); do
      lab_alive "$pid" "$start" || break
      sleep 0.05
    done
    if lab_alive "$pid" "$start"; then
      cl_log "$(basename "$1" .pid) did not exit within 10 s of SIGTERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$1"
}

cl_stop_component() {
  [[ -n $(cl_component "$1") ]] || cl_die "no component '$1' (see cluster.sh status)"
  [[ ! -f $CL_STATE/pids/$1.pid ]] || cl_stop_pidfile "$CL_STATE/pids/$1.pid"
}

# The install's RBAC as config/default names it (prefix egressdiag-, namespace
# egressdiag-system): CRDs, ServiceAccounts, roles, bindings, the node-report admission policy.
cl_apply_rbac() {
  local dir=$CL_STATE/rbac rel
  mkdir -p "$dir"
  rel=$(realpath --relative-to="$dir" "$CL_ROOT/config")
  cat >"$dir/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: $CL_NS
namePrefix: egressdiag-
resources:
  - $rel/crd
  - $rel/rbac
EOF
  cl_kubectl create namespace "$CL_NS" --dry-run=client -o yaml | cl_kubectl apply -f - >/dev/null
  cl_kubectl kustomize "$dir" >"$dir/rendered.yaml"
  cl_kubectl apply --server-side --force-conflicts --field-manager=egressdiag-cluster \
    -f "$dir/rendered.yaml" >/dev/null
  cl_kubectl wait --for=condition=Established --timeout=60s \
    crd/egressdiagnoses.egressdiag.io crd/egressnodereports.egressdiag.io >/dev/null
}

# cl_tokens: a fresh token for every component (the clients re-read their token files).
cl_tokens() {
  local name flavour node _
  while read -r name flavour node _ <&3; do
    if [[ $name == operator ]]; then
      cl_token "$CL_STATE/tokens/operator" egressdiag-operator
    else
      cl_token "$CL_STATE/tokens/probe-$node" egressdiag-probe "$node"
    fi
  done 3<"$CL_STATE/components"
}

cl_up() {
  local labs="spidernet,azure" testenv=${EGRESSDIAG_TESTENV_DIR:-} reuse=0 probes=1 operator=1
  local samples=0
  local build=${EGRESSDIAG_BUILD_DIR:-$CL_ROOT/build}
  local opbin=${EGRESSDIAG_OPERATOR:-} probebin=${EGRESSDIAG_PROBE:-}
  while (($#)); do
    case $1 in
      --labs) labs=$2; shift 2 ;;
      --testenv) testenv=$2; shift 2 ;;
      --reuse-labs) reuse=1; shift ;;
      --build-dir) build=$2; shift 2 ;;
      --operator) opbin=$2; shift 2 ;;
      --probe) probebin=$2; shift 2 ;;
      --no-probes) probes=0; shift ;;
      --no-operator) operator=0; shift ;;
      --samples) samples=1; shift ;;
      *) cl_die "up: unknown argument '$1'" ;;
    esac
  done
  [[ -n $opbin ]] || opbin=$build/operator/manager/egressdiag-operator
  [[ -n $probebin ]] || probebin=$build/node-probe/cli/egressdiag-probe
  ((!operator)) || [[ -x $opbin ]] || cl_die "no operator binary at $opbin (--build-dir/--operator)"
  if ((probes)); then
    [[ -x $probebin ]] || cl_die "no probe binary at $probebin (--build-dir/--probe)"
    "$probebin" run --help >/dev/null 2>&1 ||
      cl_die "$probebin has no 'run' subcommand (daemon); use --no-probes for an operator-only run"
  fi
  labs=${labs//,/ }
  local f
  for f in $labs; do lab_check_flavour "$f"; done
  [[ ! -f $CL_STATE/env ]] || cl_die "already up ($CL_STATE); run: cluster.sh down"
  for f in $labs; do
    if [[ -f $LAB_ROOT/$f/lab.env ]] && ((!reuse)); then
      cl_die "the $f lab is already up (another user's?): pass --reuse-labs to use it," \
        "or stop it with hack/lab/down.sh $f"
    fi
  done

  local t0=$SECONDS
  mkdir -p "$CL_STATE"/{pids,logs,kubeconfigs,tokens}
  # From here on a failure takes down what was started.
  trap 'rc=$?; if ((rc)); then cl_log "up failed, cleaning up"; cl_down; fi' EXIT

  local owned_testenv=0 owned_labs=""
  if [[ -z $testenv ]]; then
    testenv=$CL_STATE/testenv
    owned_testenv=1
    echo "TESTENV_DIR=$testenv" >"$CL_STATE/env"
    echo "TESTENV_OWNED=1" >>"$CL_STATE/env"
    cl_log "starting the control plane (hack/testenv/up.sh)"
    "$CL_ROOT/hack/testenv/up.sh" --state-dir "$testenv" >/dev/null
  fi
  [[ -f $testenv/env ]] || cl_die "no control plane at $testenv (no env file)"
  testenv=$(cd "$testenv" && pwd)
  CL_TESTENV=$testenv
  {
    echo "TESTENV_DIR=$testenv"
    echo "TESTENV_OWNED=$owned_testenv"
    echo "KUBECONFIG=$(sed -n 's/^KUBECONFIG=//p' "$testenv/env")"
    echo "KUBECTL=$(sed -n 's/^KUBECTL=//p' "$testenv/env")"
    echo "OPERATOR_BIN=$(realpath "$opbin" 2>/dev/null || echo "$opbin")"
    echo "PROBE_BIN=$(realpath "$probebin" 2>/dev/null || echo "$probebin")"
    echo "LABS=$labs"
  } >"$CL_STATE/env"

  cl_apply_rbac
  for f in $labs; do
    if [[ ! -f $LAB_ROOT/$f/lab.env ]]; then
      cl_log "building the $f lab (hack/lab/up.sh $f)"
      owned_labs+=" $f"
      echo "LABS_OWNED=$owned_labs" >>"$CL_STATE/env"
      "$LAB_HERE/up.sh" "$f" >/dev/null
    fi
    # The lab's objects include the upstream workloads (agent DaemonSet, controller Deployment)
    # with the status a running install reports, for the CMP-* checks.
    "$LAB_HERE/apply.sh" "$f" --testenv "$testenv" >/dev/null
  done
  echo "LABS_OWNED=$owned_labs" >>"$CL_STATE/env"
  # The one Secret read AKS-SGC-KEY needs (config/azure), in the gateway's secret namespace.
  if [[ " $labs " == *" azure "* ]]; then
    cl_kubectl apply --server-side --force-conflicts --field-manager=egressdiag-cluster \
      -f "$CL_ROOT/config/azure/secret_reader_role.yaml" >/dev/null
  fi

  # Identities: the operator's token, and per node a probe token bound to that Node.
  : >"$CL_STATE/components"
  if ((operator)); then
    cl_kubeconfig "$CL_STATE/kubeconfigs/operator.kubeconfig" egressdiag-operator \
      "$CL_STATE/tokens/operator"
    echo "operator - - $((CL_PORT_BASE + 80)) $((CL_PORT_BASE + 81))" >>"$CL_STATE/components"
  fi
  if ((probes)); then
    local node i
    for f in $labs; do
      lab_load "$f"
      i=0
      for node in $LAB_NODES; do
        i=$((i + 1))
        cl_kubeconfig "$CL_STATE/kubeconfigs/probe-$node.kubeconfig" "egressdiag-probe-$node" \
          "$CL_STATE/tokens/probe-$node"
        echo "$node $f $node $(cl_ports "$f" "$i")" >>"$CL_STATE/components"
      done
    done
  fi
  cl_tokens
  # Diagnoses that exist before the probes start are in their first evaluation, active checks
  # included; one created later waits for the probe's next active round (its interval).
  ((!samples)) || cl_samples >/dev/null
  local name port busy=""
  while read -r name _ _ metrics health <&3; do
    for port in $metrics $health; do
      [[ -z $(ss -Hltn "sport = :$port") ]] || busy+=" $port ($name)"
    done
  done 3<"$CL_STATE/components"
  [[ -z $busy ]] ||
    cl_die "ports in use:$busy; pick another range with EGRESSDIAG_CLUSTER_PORT_BASE"
  while read -r name _ <&3; do
    cl_start_component "$name"
  done 3<"$CL_STATE/components"
  trap - EXIT
  cl_log "up in $((SECONDS - t0)) s"
  cl_status
}

cl_down() {
  [[ -d $CL_STATE ]] || {
    cl_log "nothing to stop ($CL_STATE does not exist)"
    return 0
  }
  local f testenv owned
  # All at once: each may take its grace period. (Only these jobs are waited for: in a failed
  # `up` the daemons are children of this shell too.)
  local stoppers=()
  for f in "$CL_STATE"/pids/*.pid; do
    [[ -e $f ]] || continue
    cl_stop_pidfile "$f" &
    stoppers+=($!)
  done
  ((${#stoppers[@]} == 0)) || wait "${stoppers[@]}"
  for f in $(cl_env_get LABS_OWNED); do
    "$LAB_HERE/down.sh" "$f" >/dev/null 2>&1 || cl_log "hack/lab/down.sh $f failed"
  done
  testenv=$(cl_env_get TESTENV_DIR)
  owned=$(cl_env_get TESTENV_OWNED)
  if [[ $owned == 1 && -n $testenv && -d $testenv ]]; then
    "$CL_ROOT/hack/testenv/down.sh" --state-dir "$testenv" >/dev/null 2>&1 ||
      cl_log "hack/testenv/down.sh failed for $testenv"
  fi
  rm -rf "$CL_STATE"
  cl_log "down"
}

cl_status() {
  cl_require_up
  local name flavour node metrics health pid state
  echo "control plane: $(cl_env_get TESTENV_DIR) ($(sed -n 's/^TESTENV_SERVER=//p' \
    "$(cl_env_get TESTENV_DIR)/env"))"
  echo "admin:         export KUBECONFIG=$(cl_env_get KUBECONFIG)"
  echo "labs:          $(cl_env_get LABS) (started here:$(cl_env_get LABS_OWNED))"
  printf '%-14s %-10s %-8s %-7s %-8s %-7s %s\n' COMPONENT LAB METRICS HEALTH PID STATE LOG
  while read -r name flavour node metrics health <&3; do
    if pid=$(cl_pid "$name"); then
      state=up
      curl -fsS --max-time 1 "http://127.0.0.1:$health/healthz" >/dev/null 2>&1 || state=unhealthy
    else
      pid=-
      state=stopped
    fi
    printf '%-14s %-10s %-8s %-7s %-8s %-7s %s\n' "$name" "$flavour" "$metrics" "$health" \
      "$pid" "$state" "$CL_STATE/logs/$name.log"
  done 3<"$CL_STATE/components"
}

# config/samples, retargeted to the labs: the spidernet sample already names the lab's policy
# (default/test) and echo server; the Azure one names SGC `egress-demo` and a placeholder echo
# URL, so its target and URL are replaced by the lab's. Written to STATE/samples/ and applied.
cl_samples() {
  cl_require_up
  local out=$CL_STATE/samples f src sgc
  mkdir -p "$out"
  for f in $(cl_env_get LABS); do
    lab_load "$f"
    case $f in
      spidernet)
        src=$CL_ROOT/config/samples/egressdiag_v1alpha1_egressdiagnosis_spidernet.yaml
        cp "$src" "$out/spidernet.yaml"
        ;;
      azure)
        src=$CL_ROOT/config/samples/egressdiag_v1alpha1_egressdiagnosis_azure.yaml
        sgc=$(jq -r '.items[] | select(.kind == "StaticGatewayConfiguration") | .metadata.name' \
          "$LAB_OBJECTS" | head -1)
        [[ -n $sgc ]] || cl_die "no StaticGatewayConfiguration in $LAB_OBJECTS"
        sed -e "s#^\(    name: \)egress-demo\$#\1$sgc#" \
          -e "s#^\(    url: \).*#\1$LAB_ECHO_URL#" "$src" >"$out/azure.yaml"
        grep -q "name: $sgc\$" "$out/azure.yaml" &&
          grep -q "url: $LAB_ECHO_URL\$" "$out/azure.yaml" ||
          cl_die "could not retarget $src (layout changed?)"
        ;;
    esac
    cl_kubectl apply -f "$out/$f.yaml"
  done
}

cl_kubeconfig_of() {
  case $1 in
    admin) cl_env_get KUBECONFIG ;;
    operator) echo "$CL_STATE/kubeconfigs/operator.kubeconfig" ;;
    *)
      [[ -f $CL_STATE/kubeconfigs/probe-$1.kubeconfig ]] || cl_die "no kubeconfig for '$1'"
      echo "$CL_STATE/kubeconfigs/probe-$1.kubeconfig"
      ;;
  esac
}

cl_cmd=${1:-}
shift || true
case $cl_cmd in
  up)
    lab_need_root
    cl_up "$@"
    ;;
  down)
    lab_need_root
    cl_down
    ;;
  status) cl_status ;;
  env)
    cl_require_up
    echo "KUBECONFIG=$(cl_env_get KUBECONFIG)"
    echo "KUBECTL=$(cl_env_get KUBECTL)"
    echo "EGRESSDIAG_TESTENV_DIR=$(cl_env_get TESTENV_DIR)"
    echo "EGRESSDIAG_CLUSTER_DIR=$CL_STATE"
    ;;
  samples) cl_samples ;;
  tokens)
    cl_require_up
    cl_tokens
  # Diagnoses that exist before the probes start are in their first evaluation, active checks
  # included; one created later waits for the probe's next active round (its interval).
  ((!samples)) || cl_samples >/dev/null
    cl_log "tokens renewed ($CL_TOKEN_TTL); the components re-read them within a minute"
    ;;
  stop)
    cl_require_up
    cl_stop_component "${1:?stop NAME}"
    ;;
  start)
    cl_require_up
    CL_TESTENV=$(cl_env_get TESTENV_DIR)
    cl_start_component "${1:?start NAME}"
    ;;
  kubeconfig)
    cl_require_up
    cl_kubeconfig_of "${1:?kubeconfig NAME}"
    ;;
  can-i)
    cl_require_up
    "$(cl_env_get KUBECTL)" --kubeconfig="$(cl_kubeconfig_of "${1:?can-i NAME}")" auth can-i --list
    ;;
  -h | --help | "") sed -n '2,24p' "$0" ;;
  *) cl_die "unknown command '$cl_cmd' (see cluster.sh --help)" ;;
esac

#!/usr/bin/env bash
# Creates a running lab's objects in a hack/testenv control plane:
#   apply.sh FLAVOUR [--testenv DIR]      (DIR defaults to $EGRESSDIAG_TESTENV_DIR)
# 1. applies every CRD in tests/fixtures/crds/*.yaml and waits until they are Established;
# 2. creates the objects of /run/egressdiag-lab/FLAVOUR/objects.json (namespaces as needed);
# 3. writes their status through the status subresource.
# The server assigns new uids; objects as stored are written to objects.applied.json next to
# objects.json (path printed on stdout), and for azure the LB health server also answers 200 for
# the server's SGC uid.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

flavour=""
testenv=${EGRESSDIAG_TESTENV_DIR:-}
while (($#)); do
  case $1 in
    --testenv) testenv=$2; shift 2 ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) flavour=$1; shift ;;
  esac
done
[[ -n $flavour ]] || lab_die "usage: apply.sh spidernet|azure [--testenv DIR]"
lab_load "$flavour"
[[ -n $testenv ]] || lab_die "no control plane: pass --testenv DIR or set EGRESSDIAG_TESTENV_DIR"
[[ -f $testenv/env ]] || lab_die "$testenv/env not found (start one with hack/testenv/up.sh)"
KUBECONFIG=$(sed -n 's/^KUBECONFIG=//p' "$testenv/env")
KUBECTL=$(sed -n 's/^KUBECTL=//p' "$testenv/env")
export KUBECONFIG
[[ -n $KUBECONFIG && -x $KUBECTL ]] || lab_die "$testenv/env lacks KUBECONFIG or KUBECTL"

crd_dir=$LAB_HERE/../../tests/fixtures/crds
shopt -s nullglob
crds=()
for f in "$crd_dir"/*.yaml; do
  [[ $(basename "$f") == kustomization.yaml ]] || crds+=(-f "$f")
done
((${#crds[@]})) || lab_die "no CRDs in $crd_dir"
names=$("$KUBECTL" apply --server-side --force-conflicts --field-manager=egressdiag-lab \
  "${crds[@]}" -o name)
# shellcheck disable=SC2086
"$KUBECTL" wait --for=condition=Established --timeout=60s $names >/dev/null

applied=$LAB_STATE/objects.applied.json
uids=$(python3 "$LAB_HERE/kapply.py" "$KUBECTL" "$LAB_OBJECTS" "$applied")
if [[ $flavour == azure ]]; then
  server_uid=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], ""))' \
    "$uids" "$LAB_SGC_UID")
  if [[ -n $server_uid ]]; then
    # Remembered apart, so that repair.sh restores it after aks-lb-probe-unhealthy.
    grep -qx "$server_uid" "$LAB_STATE/health-uids.applied" 2>/dev/null ||
      echo "$server_uid" >>"$LAB_STATE/health-uids.applied"
    grep -qx "$server_uid" "$LAB_STATE/health-uids" ||
      echo "$server_uid" >>"$LAB_STATE/health-uids"
  fi
fi
lab_log "applied $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["items"]))' \
  "$applied") objects of the $flavour lab"
echo "$applied"

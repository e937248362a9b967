"""Shared helpers for the install tests (tests/install/*_test.py) against the real control plane
named by $EGRESSDIAG_TESTENV_DIR/env. Standard library and kubectl only: kubectl parses YAML and
kustomizations, so no YAML library is needed."""

import json
import os
import pathlib
import re
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
CONFIG = REPO / "config"
CRD_DIRS = [REPO / "tests" / "fixtures" / "crds", REPO / "tests" / "fixtures" / "monitoring",
            REPO / "crds"]
# Namespaces config/default and config/azure install into.
INSTALL_NAMESPACE = "egressdiag-system"
AZURE_NAMESPACE = "kube-egress-gateway-system"


def fail(message):
    sys.exit(f"FAIL: {message}")


class Kube:
    """kubectl bound to the test plane's admin kubeconfig."""

    def __init__(self):
        state = os.environ.get("EGRESSDIAG_TESTENV_DIR")
        if not state:
            fail("EGRESSDIAG_TESTENV_DIR is not set (run through ctest, testenv fixture)")
        env_file = pathlib.Path(state) / "env"
        if not env_file.is_file():
            fail(f"{env_file} does not exist: the testenv fixture did not start")
        values = dict(line.split("=", 1) for line in env_file.read_text().splitlines()
                      if "=" in line)
        self.kubectl = values["KUBECTL"]
        self.kubeconfig = values["KUBECONFIG"]
        self.server = values["TESTENV_SERVER"]
        self.ca = values["TESTENV_CA"]

    def run(self, *args, stdin=None):
        """kubectl's CompletedProcess; never raises on a non-zero exit."""
        return subprocess.run([self.kubectl, f"--kubeconfig={self.kubeconfig}", *args],
                              input=stdin, capture_output=True, text=True, timeout=180)

    def run_as(self, token, *args, stdin=None):
        """kubectl authenticated only by a bearer token (e.g. a ServiceAccount's)."""
        return subprocess.run([self.kubectl, "--kubeconfig=/dev/null", f"--server={self.server}",
                               f"--certificate-authority={self.ca}", f"--token={token}", *args],
                              input=stdin, capture_output=True, text=True, timeout=180)

    def ok(self, *args, stdin=None):
        """kubectl's stdout; fails the test with its stderr on a non-zero exit."""
        result = self.run(*args, stdin=stdin)
        if result.returncode != 0:
            fail(f"kubectl {' '.join(args)} exited {result.returncode}:\n"
                 f"{result.stderr}{result.stdout}")
        return result.stdout

    def ensure_crds(self):
        """Creates (for real) every CRD the manifests and samples need, waits for Established.
        Server-side apply: idempotent, and safe next to other tests applying the same CRDs."""
        names = []
        for directory in CRD_DIRS:
            names += self.ok("apply", "--server-side", "--force-conflicts",
                             "--field-manager=egressdiag-tests", "-o", "name", "-k",
                             str(directory)).split()
        self.ok("wait", "--for=condition=Established", "--timeout=60s", *names)

    def ensure_namespaces(self, *names):
        for name in names:
            manifest = json.dumps({"apiVersion": "v1", "kind": "Namespace",
                                   "metadata": {"name": name}})
            self.ok("apply", "--server-side", "--field-manager=egressdiag-tests", "-f", "-",
                    stdin=manifest)

    def delete_namespaces(self, *names):
        self.ok("delete", "namespace", "--ignore-not-found", "--wait=true", "--timeout=120s",
                *names)

    def objects(self, *args):
        """The items of a kubectl command that prints one JSON List or object."""
        doc = json.loads(self.ok(*args))
        return doc["items"] if doc.get("kind", "").endswith("List") else [doc]


def parse_can_i(text):
    """`kubectl auth can-i --list` table -> {(resource, nonResourceURL, names): set(verbs)}.
    Rows of one key from several rules are merged; verb order is dropped."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith("Resources"):
        fail(f"unexpected can-i output:\n{text}")
    rows = {}
    for line in lines[1:]:
        m = re.match(r"^(\S*)\s+(\[[^\]]*\])\s+(\[[^\]]*\])\s+\[([^\]]*)\]\s*$", line)
        if not m:
            fail(f"unparsable can-i row: {line!r}")
        key = (m.group(1), m.group(2), m.group(3))
        rows.setdefault(key, set()).update(m.group(4).split())
    return rows

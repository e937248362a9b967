"""Shared helpers for the CRD script tests (tests/testenv/crds/*_test.py).

The tests run kubectl against the control plane named by $EGRESSDIAG_TESTENV_DIR/env (the
`testenv` CTest fixture) and use only the Python standard library: YAML is parsed by kubectl
itself (`create --dry-run=client -o json`), so no PyYAML is needed.
"""

import json
import os
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[3]
FIXTURE_CRDS = REPO / "tests" / "fixtures" / "crds"
SAMPLES = REPO / "tests" / "fixtures" / "samples"
OWN_CRDS = REPO / "crds"
# Every object a test creates carries this label, so cleanup can find what a crashed run left.
TEST_LABEL = "egressdiag.io/test"


class Kube:
    """kubectl bound to the test plane's admin kubeconfig."""

    def __init__(self):
        state = os.environ.get("EGRESSDIAG_TESTENV_DIR")
        if not state:
            sys.exit("EGRESSDIAG_TESTENV_DIR is not set (run through ctest, testenv fixture)")
        env_file = pathlib.Path(state) / "env"
        if not env_file.is_file():
            sys.exit(f"{env_file} does not exist: the testenv fixture did not start")
        values = {}
        for line in env_file.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep:
                values[key] = value
        self.kubectl = values["KUBECTL"]
        self.kubeconfig = values["KUBECONFIG"]

    def run(self, *args, stdin=None):
        """Runs kubectl; returns the CompletedProcess (never raises on a non-zero exit)."""
        return subprocess.run([self.kubectl, f"--kubeconfig={self.kubeconfig}", *args],
                              input=stdin, capture_output=True, text=True, timeout=120)

    def ok(self, *args, stdin=None):
        """Runs kubectl and returns stdout; exits the test with kubectl's stderr on failure."""
        result = self.run(*args, stdin=stdin)
        if result.returncode != 0:
            sys.exit(f"FAIL: kubectl {' '.join(args)} exited {result.returncode}:\n"
                     f"{result.stderr}{result.stdout}")
        return result.stdout

    def get_json(self, *args):
        return json.loads(self.ok("get", "-o", "json", *args))

    def load(self, path):
        """The objects of a manifest file, parsed by kubectl (needs their CRDs installed)."""
        text = self.ok("create", "--dry-run=client", "-o", "json", "-f", str(path))
        # One JSON document per object, concatenated.
        decoder, objects, pos = json.JSONDecoder(), [], 0
        while pos < len(text):
            if text[pos].isspace():
                pos += 1
                continue
            obj, pos = decoder.raw_decode(text, pos)
            objects += obj["items"] if obj.get("kind") == "List" else [obj]
        return objects

    def ensure_crds(self):
        """Applies the fixture and own CRDs (idempotent), waits until all are Established and
        returns their resource names (customresourcedefinition.apiextensions.k8s.io/NAME)."""
        names = []
        for directory in (FIXTURE_CRDS, OWN_CRDS):
            # Server-side apply creates or updates in one request, so tests running in
            # parallel cannot race each other into AlreadyExists as client-side apply can.
            names += self.ok("apply", "--server-side", "--force-conflicts",
                             "--field-manager=egressdiag-tests", "-o", "name", "-k",
                             str(directory)).split()
        self.ok("wait", "--for=condition=Established", "--timeout=60s", *names)
        return names


class Checks:
    """Collects failed assertions; each prints what was expected and what came back."""

    def __init__(self):
        self.failures = 0
        self.passed = 0

    def eq(self, what, expected, got):
        if expected == got:
            self.passed += 1
            return True
        self.failures += 1
        print(f"FAIL: {what}\n  expected: {expected!r}\n  got:      {got!r}")
        return False

    def true(self, what, condition, detail=""):
        if condition:
            self.passed += 1
            return True
        self.failures += 1
        print(f"FAIL: {what}" + (f"\n  {detail}" if detail else ""))
        return False

    def contains(self, what, needle, haystack):
        if needle in haystack:
            self.passed += 1
            return True
        self.failures += 1
        print(f"FAIL: {what}\n  expected to contain: {needle!r}\n  got: {haystack!r}")
        return False

    def subset(self, what, expected, got, path=""):
        """Every field of `expected` is present in `got` with the same value (lists: same
        length, element-wise); `got` may carry more (server defaults, metadata)."""
        if isinstance(expected, dict) and isinstance(got, dict):
            for key, value in expected.items():
                if key not in got:
                    self.failures += 1
                    print(f"FAIL: {what}: {path}.{key} missing\n  expected: {value!r}")
                    continue
                self.subset(what, value, got[key], f"{path}.{key}")
            return
        if isinstance(expected, list) and isinstance(got, list) and len(expected) == len(got):
            for index, (want, have) in enumerate(zip(expected, got)):
                self.subset(what, want, have, f"{path}[{index}]")
            return
        self.eq(f"{what}: {path or '.'}", expected, got)

    def finish(self, name):
        print(f"{name}: {self.passed} assertions passed, {self.failures} failed")
        sys.exit(1 if self.failures else 0)


def table(text):
    """Parses `kubectl get` table output into (header, rows of {column: cell}). Columns are cut
    at the header's offsets, so empty cells (e.g. an unset IPV6) stay in their column."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return [], []
    header = lines[0]
    starts = [i for i, ch in enumerate(header) if ch != " " and (i == 0 or header[i - 1] == " ")]
    names = [header[s:].split(" ", 1)[0] for s in starts]
    rows = []
    for line in lines[1:]:
        cells = {}
        for index, start in enumerate(starts):
            end = starts[index + 1] if index + 1 < len(starts) else len(line)
            cells[names[index]] = line[start:end].strip()
        rows.append(cells)
    return names, rows


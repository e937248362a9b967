#!/usr/bin/env python3
"""EgressNodeReport (crds/egressdiag.io_egressnodereports.yaml) against the real apiserver:
a report written through /status reads back and prints FAILING/UNKNOWN/LAST-PROBE; the size
bounds reject oversized reports; and the largest report the schema admits is accepted and
measured, so docs/crds.md can state its real size next to etcd's 1.5 MiB request limit."""

import copy
import json
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

from crdtest import TEST_LABEL, Checks, Kube, table  # noqa: E402

PREFIX = "crdtest-node-"
LABELS = {TEST_LABEL: "egressnodereport"}
ETCD_LIMIT = 1536 * 1024  # etcd's default --max-request-bytes
SIZE_BUDGET = 768 * 1024  # what docs/crds.md promises: at most half of etcd's limit

FINDING = {
    "check": "SPN-IP-RULE", "layer": "Datapath", "target": "EgressPolicy/default/test",
    "node": "node1", "status": "Fail", "reason": "IPRuleMissing",
    "message": "no ip rule 99 for fwmark 0x26b7b4e4 (EIP node node2)",
    "evidence": ["0:\tfrom all lookup local", "32766:\tfrom all lookup main",
                 "32767:\tfrom all lookup default"],
    "remediation": "Check the egressgateway-agent log on node1; the agent re-adds the rule.",
    "since": "2026-11-22T10:05:00Z",
}
STATUS = {
    "probeVersion": "0.1.0",
    "lastProbeTime": "2026-11-22T10:06:00Z",
    "snapshotSeconds": 0.042,
    "counts": {"pass": 17, "fail": 1, "warn": 1, "unknown": 2, "skipped": 9},
    "targets": [
        {"target": "EgressPolicy/default/test", "findings": [
            FINDING,
            dict(FINDING, check="SPN-RPFILTER", status="Warn", reason="RPFilterStrict",
                 evidence=["net.ipv4.conf.all.rp_filter = 1"]),
        ]},
        {"target": "StaticGatewayConfiguration/default/egress-demo", "findings": [
            dict(FINDING, check="AKS-LB-PROBE", layer="Datapath", status="Unknown",
                 reason="ProbeUnreachable", evidence=[]),
        ]},
    ],
}


def report(name, status=None):
    obj = {"apiVersion": "egressdiag.io/v1alpha1", "kind": "EgressNodeReport",
           "metadata": {"name": PREFIX + name, "labels": LABELS}}
    if status is not None:
        obj["status"] = status
    return obj


def write_status(kube, name, status):
    return kube.run("apply", "--server-side", "--subresource=status", "--field-manager=crdtest",
                    "-f", "-", stdin=json.dumps(report(name, status)))


def largest_status():
    """Every bound at its maximum: 64 targets, 64 findings, every string at maxLength."""
    def text(length, char="x"):
        return char * length

    finding = {
        "check": text(64, "C"), "layer": text(32, "L"), "target": text(320, "t"),
        "node": text(253, "n"), "status": "Unknown", "reason": text(128, "R"),
        "message": text(1024, "m"), "evidence": [text(512, "e")] * 16,
        "remediation": text(512, "r"), "since": "2026-11-22T10:05:00Z",
    }
    targets = []
    for index in range(64):
        name = f"{index:03d}" + text(317)
        count = 2 if index < 32 else 0  # 32 * 2 = 64 findings
        targets.append({"target": name, "findings": [finding] * count} if count else
                       {"target": name})
    return {"probeVersion": text(64, "v"), "lastProbeTime": "2026-11-22T10:06:00Z",
            "snapshotSeconds": 1.5,
            "counts": {k: 2147483647 for k in ("pass", "fail", "warn", "unknown", "skipped")},
            "targets": targets}


def check_roundtrip(kube, checks):
    name = "a"
    kube.ok("create", "-f", "-", stdin=json.dumps(report(name, STATUS)))
    live = kube.get_json("egnr", PREFIX + name)
    checks.eq("status sent with create is ignored", None, live.get("status"))
    result = write_status(kube, name, STATUS)
    checks.eq(f"status write through /status ({result.stderr.strip()})", 0, result.returncode)
    live = kube.get_json("egnr", PREFIX + name)
    checks.subset("report reads back", STATUS, live.get("status", {}))

    header, rows = table(kube.ok("get", "egnr", PREFIX + name))
    checks.eq("egnr printer columns", ["NAME", "FAILING", "UNKNOWN", "LAST-PROBE", "AGE"], header)
    checks.subset("egnr printer row", {"NAME": PREFIX + name, "FAILING": "1", "UNKNOWN": "2"},
                  rows[0] if rows else {})
    header, rows = table(kube.ok("get", "egnr", PREFIX + name, "-o", "wide"))
    checks.eq("egnr -o wide printer columns",
              ["NAME", "FAILING", "UNKNOWN", "LAST-PROBE", "AGE", "WARN", "PROBE-VERSION"],
              header)
    checks.subset("egnr -o wide row", {"WARN": "1", "PROBE-VERSION": "0.1.0"},
                  rows[0] if rows else {})
    listed = kube.ok("get", "egress", "-A", "-o", "name", "-l", f"{TEST_LABEL}=egressnodereport")
    checks.contains("category egress lists node reports",
                    f"egressnodereport.egressdiag.io/{PREFIX}{name}", listed)


def invalid_cases():
    def with_targets(targets):
        return dict(STATUS, targets=targets)

    many = [{"target": f"EgressPolicy/ns/p{i}", "findings": [FINDING] * 20} for i in range(4)]
    return [
        ("33 findings for one target", with_targets([{"target": "t", "findings": [FINDING] * 33}]),
         "must have at most 32 items"),
        ("80 findings over all targets (4 x 20)", with_targets(many),
         "at most 64 findings in total over all targets"),
        ("65 targets", with_targets([{"target": f"t{i}"} for i in range(65)]),
         "must have at most 64 items"),
        ("the same target twice", with_targets([{"target": "t"}, {"target": "t"}]),
         "duplicate entries for key"),
        ("17 evidence lines", with_targets([{"target": "t", "findings": [
            dict(FINDING, evidence=["line"] * 17)]}]), "must have at most 16 items"),
        ("an evidence line of 513 characters", with_targets([{"target": "t", "findings": [
            dict(FINDING, evidence=["x" * 513])]}]), "may not be more than 512 bytes"),
        ("status Failed (not in Pass|Fail|Warn|Unknown|Skipped)", with_targets([{
            "target": "t", "findings": [dict(FINDING, status="Failed")]}]),
         'Unsupported value: "Failed"'),
        ("a negative count", dict(STATUS, counts={"fail": -1}), "should be greater than or equal"),
    ]


def check_bounds(kube, checks):
    name = "bounds"
    kube.ok("create", "-f", "-", stdin=json.dumps(report(name)))
    for case, status, message in invalid_cases():
        result = write_status(kube, name, status)
        if checks.true(f"rejected: {case}", result.returncode != 0, "the server accepted it"):
            checks.contains(f"server message for: {case}", message, result.stderr)
    live = kube.get_json("egnr", PREFIX + name)
    checks.eq("rejected writes left no status", None, live.get("status"))

    largest = largest_status()
    findings = sum(len(t.get("findings", [])) for t in largest["targets"])
    checks.eq("largest report has 64 findings", 64, findings)
    result = write_status(kube, name, largest)
    checks.eq(f"largest admissible report accepted ({result.stderr.strip()[:300]})", 0,
              result.returncode)
    # Custom resources are stored as compact JSON; kubectl pretty-prints, so re-encode.
    stored = kube.get_json("egnr", PREFIX + name, "--show-managed-fields")
    size = len(json.dumps(stored, separators=(",", ":")).encode())
    print(f"largest admissible EgressNodeReport: {size} bytes as stored JSON "
          f"({100 * size / ETCD_LIMIT:.0f}% of etcd's {ETCD_LIMIT} byte request limit)")
    checks.true(f"largest report {size} bytes < budget {SIZE_BUDGET}", size < SIZE_BUDGET)
    one_more = copy.deepcopy(largest)
    one_more["targets"][63]["findings"] = [one_more["targets"][0]["findings"][0]]
    result = write_status(kube, name, one_more)
    checks.contains("65th finding rejected", "at most 64 findings", result.stderr)


def main():
    kube = Kube()
    checks = Checks()
    kube.ensure_crds()
    selector = f"{TEST_LABEL}=egressnodereport"
    kube.ok("delete", "egnr", "-l", selector, "--ignore-not-found")
    try:
        check_roundtrip(kube, checks)
        check_bounds(kube, checks)
    finally:
        kube.ok("delete", "egnr", "-l", selector, "--ignore-not-found")
        left = kube.ok("get", "egnr", "-l", selector, "-o", "name")
        checks.eq("test objects deleted", "", left.strip())
    checks.finish("crds.egressnodereport")


if __name__ == "__main__":
    main()

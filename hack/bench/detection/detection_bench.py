#!/usr/bin/env python3
"""Detection latency and probe footprint on the lab with a control plane (issue 7 benchmark).

    hack/bench/detection/run.sh [--injections N] [--faults a,b] [--idle SECONDS]

Needs `hack/lab/cluster.sh up` (run.sh starts it). For each fault: inject with
hack/lab/fault.sh, then time (a) the node's EgressNodeReport showing the fault's check as Fail
and (b) the diagnosis' Healthy condition turning False, both as watch events arrive here; then
repair and wait for recovery before the next injection. t0 is taken when fault.sh returns (the
change is complete), so a figure is the time from a finished change to the API showing it.
Then the idle footprint of every probe: RSS, CPU over the idle window, API writes per minute.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
LAB = os.path.join(REPO, "hack", "lab")

# fault -> kind, as the issue groups them: netlink-visible vs polled state.
KINDS = {
    "spn-ip-rule-missing": "rule (netlink)",
    "spn-route-wrong-gateway": "route (netlink)",
    "spn-vxlan-down": "link (netlink)",
    "spn-neigh-missing": "neighbour (netlink)",
    "spn-snat-wrong-eip": "iptables (polled)",
    "spn-src-ipset-missing-pod": "ipset (polled)",
}


def cluster_env():
    out = subprocess.run([os.path.join(LAB, "cluster.sh"), "env"], check=True,
                         capture_output=True, text=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


class Watch(threading.Thread):
    """`kubectl get --watch -o json` of one resource; keeps the latest object per name and
    wakes waiters on every event."""

    def __init__(self, kubectl, kubeconfig, resource, cond):
        super().__init__(daemon=True)
        self.cond = cond
        self.objects = {}
        self.proc = subprocess.Popen(
            [kubectl, "--kubeconfig", kubeconfig, "get", resource, "-A", "--watch",
             "--output-watch-events", "-o", "json"],
            stdout=subprocess.PIPE, text=True)

    def run(self):
        decoder = json.JSONDecoder()
        buf = ""
        for line in self.proc.stdout:
            buf += line
            try:
                event, end = decoder.raw_decode(buf.lstrip())
            except ValueError:
                continue
            buf = ""
            obj = event.get("object", {})
            name = obj.get("metadata", {}).get("name", "")
            if os.environ.get("BENCH_DEBUG"):
                print("   %.3f event %s %s" % (time.monotonic(), event.get("type"), name),
                      file=sys.stderr, flush=True)
            with self.cond:
                if event.get("type") == "DELETED":
                    self.objects.pop(name, None)
                else:
                    self.objects[name] = obj
                self.cond.notify_all()

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def failing_checks(report):
    out = set()
    for target in report.get("status", {}).get("targets", []) or []:
        for f in target.get("findings", []) or []:
            if f.get("status") == "Fail":
                out.add(f.get("check"))
    return out


def healthy(diag):
    for c in diag.get("status", {}).get("conditions", []) or []:
        if c.get("type") == "Healthy":
            return c.get("status")
    return None


def wait_for(cond, predicate, timeout):
    deadline = time.monotonic() + timeout
    with cond:
        while not predicate():
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            cond.wait(left)
    return time.monotonic()


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(p / 100.0 * len(values) + 0.5)) - 1))
    return values[k]


def lab_faults():
    with open("/run/egressdiag-lab/spidernet/lab.json") as f:
        return {x["name"]: x for x in json.load(f)["faults"]}


def metric_sum(port, name, label_filter):
    import urllib.request
    text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=2).read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and label_filter(line):
            total += float(line.rsplit(" ", 1)[1])
    return total


def proc_cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_status(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def probes():
    out = subprocess.run([os.path.join(LAB, "cluster.sh"), "status"], check=True,
                         capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 6 and parts[0] not in ("COMPONENT", "operator") and parts[5] == "up":
            rows.append((parts[0], int(parts[2]), int(parts[4])))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--injections", type=int, default=20)
    ap.add_argument("--faults", default=",".join(KINDS))
    ap.add_argument("--idle", type=int, default=60)
    ap.add_argument("--diagnosis", default="spidernet-test")
    args = ap.parse_args()

    env = cluster_env()
    cond = threading.Condition()
    reports = Watch(env["KUBECTL"], env["KUBECONFIG"], "egressnodereports", cond)
    diags = Watch(env["KUBECTL"], env["KUBECONFIG"], "egressdiagnoses", cond)
    reports.start()
    diags.start()
    catalogue = lab_faults()
    results = {}
    for name in args.faults.split(","):
        fault = catalogue[name]
        node, check = fault["nodes"][0], fault["check"]
        rows = results.setdefault(name, {"report": [], "condition": [], "misses": 0})
        print("== %s (%s): %s on %s" % (name, KINDS.get(name, "?"), check, node), flush=True)
        for i in range(args.injections):
            ok = wait_for(cond, lambda: check not in failing_checks(reports.objects.get(node, {}))
                          and healthy(diags.objects.get(args.diagnosis, {})) == "True", 90)
            if ok is None:
                print("   not healthy before injection %d; skipped" % i, flush=True)
                rows["misses"] += 1
                subprocess.run([os.path.join(LAB, "repair.sh"), "spidernet"],
                               capture_output=True)
                continue
            subprocess.run([os.path.join(LAB, "fault.sh"), name], check=True,
                           capture_output=True)
            t0 = time.monotonic()
            if os.environ.get("BENCH_DEBUG"):
                print("   %.3f injected" % t0, file=sys.stderr, flush=True)
            t_report = wait_for(cond, lambda: check in failing_checks(
                reports.objects.get(node, {})), 60)
            t_cond = wait_for(cond, lambda: healthy(diags.objects.get(args.diagnosis, {}))
                              == "False", 60)
            subprocess.run([os.path.join(LAB, "repair.sh"), "spidernet"], check=True,
                           capture_output=True)
            if t_report is None or t_cond is None:
                rows["misses"] += 1
                print("   injection %d: not detected within 60 s" % i, flush=True)
                continue
            rows["report"].append(t_report - t0)
            rows["condition"].append(t_cond - t0)
        r, c = rows["report"], rows["condition"]
        print("   report    p50 %.3f s  p95 %.3f s  max %.3f s  (n=%d, missed %d)" % (
            pct(r, 50), pct(r, 95), max(r) if r else float("nan"), len(r), rows["misses"]))
        print("   condition p50 %.3f s  p95 %.3f s  max %.3f s" % (
            pct(c, 50), pct(c, 95), max(c) if c else float("nan")), flush=True)

    wait_for(cond, lambda: healthy(diags.objects.get(args.diagnosis, {})) == "True", 90)
    time.sleep(5)
    print("== idle footprint over %d s" % args.idle, flush=True)
    start = {}
    for name, port, pid in probes():
        writes = metric_sum(port, "egressdiag_api_requests_total",
                            lambda l: any('verb="%s"' % v in l for v in ("POST", "PUT", "PATCH",
                                                                            "DELETE")))
        start[name] = (proc_cpu_seconds(pid), writes, time.monotonic())
    time.sleep(args.idle)
    for name, port, pid in probes():
        if name not in start:
            continue
        cpu0, w0, t0 = start[name]
        dt = time.monotonic() - t0
        writes = metric_sum(port, "egressdiag_api_requests_total",
                            lambda l: any('verb="%s"' % v in l for v in ("POST", "PUT", "PATCH",
                                                                            "DELETE")))
        print("   %-14s RSS %.1f MiB (peak %.1f MiB)  CPU %.2f%% of a core  API writes %.1f/min"
              % (name, proc_status(pid, "VmRSS"), proc_status(pid, "VmHWM"),
                 100.0 * (proc_cpu_seconds(pid) - cpu0) / dt, (writes - w0) * 60.0 / dt),
              flush=True)
    reports.stop()
    diags.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

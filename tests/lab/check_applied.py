#!/usr/bin/env python3
"""check_applied.py OBJECTS_JSON APPLIED_JSON: every object of the lab's objects.json was stored
by the API server with its spec/status/data/endpoints as written (server uids substituted for
the lab's); fields pruned by a CRD schema or dropped by a status write are reported."""
import json
import sys


def missing(exp, act, path):
    if exp == {}:
        return []  # an empty status is not stored
    if isinstance(exp, dict):
        if not isinstance(act, dict):
            return [path]
        return [m for k, v in exp.items() for m in missing(v, act.get(k), path + "." + k)]
    if isinstance(exp, list):
        if not isinstance(act, list):
            return [path]
        if path.endswith("spec.taints"):
            # kube-controller-manager may add node.kubernetes.io/* taints (no kubelet here).
            return ["%s: %s" % (path, t) for t in exp if t not in act]
        if len(act) != len(exp):
            return [path]
        return [m for i, v in enumerate(exp) for m in missing(v, act[i], "%s[%d]" % (path, i))]
    return [] if exp == act else [path]


def main(want_path, got_path):
    want = json.load(open(want_path))["items"]
    got = json.load(open(got_path))["items"]
    if len(want) != len(got):
        print("FAIL: applied %d of %d objects" % (len(got), len(want)))
        return 1
    uids = {w["metadata"]["uid"]: g["metadata"]["uid"] for w, g in zip(want, got)}

    def remap(value):
        text = json.dumps(value)
        for old, new in uids.items():
            text = text.replace(old, new)
        return json.loads(text)

    bad = []
    for w, g in zip(want, got):
        name = "%s/%s" % (w["kind"], w["metadata"]["name"])
        if (w["kind"], remap(w["metadata"]["name"])) != (g["kind"], g["metadata"]["name"]):
            bad.append("%s: stored as %s/%s" % (name, g["kind"], g["metadata"]["name"]))
            continue
        for field in ("spec", "status", "data", "endpoints"):
            if field not in w:
                continue
            expected = remap(w[field])
            if w["kind"] == "Pod" and field == "spec":
                expected = {"nodeName": expected["nodeName"]}  # the rest is server-defaulted
            bad += ["%s: %s" % (name, m) for m in missing(expected, g.get(field), field)]
        for key in ("labels", "annotations"):
            bad += ["%s: %s" % (name, m) for m in missing(w["metadata"].get(key, {}),
                                                           g["metadata"].get(key, {}),
                                                           "metadata." + key)]
    if bad:
        print("FAIL: fields not stored as written:\n  " + "\n  ".join(bad))
        return 1
    print("ok: apply: %d objects stored with spec and status as written (uids remapped)"
          % len(got))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))

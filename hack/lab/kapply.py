#!/usr/bin/env python3
"""Creates a lab's objects.json in a Kubernetes API server (used by apply.sh).

  kapply.py KUBECTL OBJECTS_JSON OUT_JSON

Objects are created in list order (owners come first) with server-side apply; the API server
assigns new uids, so every uid of objects.json is replaced by the server's (string-wise: owner
references, the Secret name sgw-<uid>, secret refs, legacy netns names) before the next object
is sent. Status is then written through the status subresource. Finalizers are not sent (no
controller would ever remove them). OUT_JSON receives the objects as the server returns them,
and the uid mapping (objects.json uid -> server uid) is printed as JSON on stdout.
"""
import json
import subprocess
import sys

SERVER_FIELDS = ("uid", "resourceVersion", "creationTimestamp", "generation", "finalizers",
                 "managedFields")


def kubectl(binary, *args, stdin=None):
    proc = subprocess.run([binary, *args], input=stdin, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError("kubectl %s failed: %s" % (" ".join(args), proc.stderr.strip()))
    return proc.stdout


def ns_args(item):
    ns = item["metadata"].get("namespace")
    return ["-n", ns] if ns else []


def resource(item):
    group = item["apiVersion"].split("/")[0] if "/" in item["apiVersion"] else ""
    return item["kind"].lower() + ("." + group if group else "")


def remap(value, uids):
    text = json.dumps(value)
    for old, new in uids.items():
        text = text.replace(old, new)
    return json.loads(text)


def ensure_namespace(binary, name, done):
    if name in done:
        return
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    kubectl(binary, "apply", "--server-side", "--field-manager=egressdiag-lab", "-f", "-",
            stdin=json.dumps(body))
    done.add(name)


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    binary, objects_path, out_path = argv[1:]
    with open(objects_path) as f:
        doc = json.load(f)
    if doc.get("kind") != "List" or not isinstance(doc.get("items"), list):
        print("kapply: %s is not a v1 List" % objects_path, file=sys.stderr)
        return 2
    uids = {}
    namespaces = set()
    applied = []
    for original in doc["items"]:
        item = remap(original, uids)
        meta = item["metadata"]
        old_uid = original["metadata"].get("uid")
        if meta.get("namespace"):
            ensure_namespace(binary, meta["namespace"], namespaces)
        body = {k: v for k, v in item.items() if k != "status"}
        body["metadata"] = {k: v for k, v in meta.items() if k not in SERVER_FIELDS}
        created = json.loads(kubectl(binary, "apply", "--server-side", "--force-conflicts",
                                     "--field-manager=egressdiag-lab", "-o", "json", "-f", "-",
                                     stdin=json.dumps(body)))
        if old_uid:
            uids[old_uid] = created["metadata"]["uid"]
        status = item.get("status")
        if status:
            status = remap(status, uids)
            kubectl(binary, "patch", resource(item), meta["name"], *ns_args(item),
                    "--subresource=status", "--type=merge", "-p", json.dumps({"status": status}))
        applied.append((resource(item), meta["name"], ns_args(item)))
    items = [json.loads(kubectl(binary, "get", res, name, *ns, "-o", "json"))
             for res, name, ns in applied]
    with open(out_path, "w") as f:
        json.dump({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
                   "items": items}, f, indent=4)
        f.write("\n")
    print(json.dumps(uids))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (RuntimeError, KeyError, ValueError) as err:
        print("kapply: %s" % err, file=sys.stderr)
        sys.exit(1)

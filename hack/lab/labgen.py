#!/usr/bin/env python3
"""Pure generator for the egressdiag datapath lab (no kernel access here).

The lab model (nodes, pods, addresses, marks, keys, fault catalogue) lives in this file; the bash
scripts next to it only apply what this prints. Subcommands:

  render FLAVOUR STATE_DIR [--legacy]   write lab.json, lab.env, objects.json, per-node rule files
  faults [FLAVOUR]                      print the fault catalogue (name, flavour, nodes, effect)
  selftest                              verify hashes / MACs / ipset names against the seed values
  egw-hash CHAIN RULE_JSON...           print the egw: hashes of rules ([comments, matches, action])
"""
import base64
import datetime
import hashlib
import json
import os
import subprocess
import sys
import uuid

STATE_ROOT = "/run/egressdiag-lab"
UID_NAMESPACE = uuid.UUID("5c0f4a51-8d0e-4b8e-9a57-0e9d1a0b7a11")

# ---------------------------------------------------------------------------------------------
# spidernet algorithms (shared/reference/spidernet.md §3.2, §3.6, §3.7)

COMMENT_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ @%+=:,./-")


def sanitize_comment(text):
    return "".join(c if c in COMMENT_OK else "_" for c in text)[:256]


def egw_hashes(chain, rules):
    """rules: list of (comments, match_fragments, action_fragment). Returns 16-char hashes.

    h0 = SHA224(chain); h_i = SHA224(h_{i-1} digest || s_i); hash_i = base64url(h_i)[:16].
    """
    digest = hashlib.sha224(chain.encode()).digest()
    out = []
    for comments, matches, action in rules:
        s = "-A " + chain + " HASH"
        for c in comments:
            s += ' -m comment --comment "' + sanitize_comment(c) + '"'
        if matches:
            s += " " + " ".join(matches)
        s += " " + action
        digest = hashlib.sha224(digest + s.encode()).digest()
        out.append(base64.urlsafe_b64encode(digest).decode().rstrip("=")[:16])
    return out


def ipset_name(prefix, name):
    return prefix + hashlib.sha1(name.encode()).hexdigest()[: 31 - len(prefix)]


def tunnel_mac(node):
    raw = hashlib.sha1((node + "egress").encode()).digest()[:5]
    return ":".join(["66"] + ["%02x" % b for b in raw])


# ---------------------------------------------------------------------------------------------
# Rendering of spidernet rules: one "spec" per rule, rendered both as the hash input (upstream
# fragment syntax) and as iptables-restore input (iptables-save syntax).


class Rule:
    def __init__(self, comment, matches, action, save_matches=None, save_action=None):
        self.comment = comment
        self.matches = matches  # upstream fragments (hash input)
        self.action = action
        self.save_matches = save_matches if save_matches is not None else matches
        self.save_action = save_action if save_action is not None else action


def mark_match(value, mask):
    return "-m mark --mark %s/%s" % (value, mask)


def chain_lines(chain, rules):
    hashes = egw_hashes(chain, [([r.comment], r.matches, r.action) for r in rules])
    lines = []
    for h, r in zip(hashes, rules):
        parts = ["-A", chain, '-m comment --comment "egw:%s"' % h,
                 '-m comment --comment "%s"' % sanitize_comment(r.comment)]
        parts += r.save_matches
        parts.append(r.save_action)
        lines.append(" ".join(parts))
    return lines


BASE_MARK = "0x26000000"
ACCEPT_COMMENT = "EgressGateway traffic accept datapath rule"
TUNNEL_COMMENT = "Accept for egress traffic from pod going to EgressTunnel"
REPLY_COMMENT = "EgressGateway reply datapath rule, rule is from the EgressGateway"


def set_mark_rule(comment, matches, mark, save_matches=None):
    return Rule(comment, matches, "--jump MARK --set-mark %s/0xffffffff" % mark,
                save_matches, "-j MARK --set-xmark %s/0xffffffff" % mark)


def jump(comment, matches, target):
    return Rule(comment, matches, "--jump " + target, None, "-j " + target)


# ---------------------------------------------------------------------------------------------
# Lab model


def uid_for(kind, namespace, name):
    return str(uuid.uuid5(UID_NAMESPACE, "%s/%s/%s" % (kind, namespace, name)))


def wg_private_key(label):
    raw = bytearray(hashlib.sha256(("egressdiag-lab:" + label).encode()).digest())
    raw[0] &= 248
    raw[31] = (raw[31] & 127) | 64
    return base64.b64encode(bytes(raw)).decode()


def wg_public_key(private):
    return subprocess.run(["wg", "pubkey"], input=private + "\n", capture_output=True,
                          text=True, check=True).stdout.strip()


def spidernet_model():
    nodes = [
        {"name": "node1", "ip": "10.6.1.21", "podCIDR": "10.200.1.0/24", "gateway": True,
         "tunnelIP": "192.200.142.89", "mark": "0x2698ee37"},
        {"name": "node2", "ip": "10.6.1.22", "podCIDR": "10.200.2.0/24", "gateway": True,
         "tunnelIP": "192.200.201.40", "mark": "0x26b7b4e4"},
        {"name": "node3", "ip": "10.6.1.23", "podCIDR": "10.200.3.0/24", "gateway": False,
         "tunnelIP": "192.200.17.3", "mark": "0x26c3a1f5"},
    ]
    for n in nodes:
        n["mac"] = tunnel_mac(n["name"])
        n["netns"] = "edl-spn-" + n["name"]
    pods = [
        {"name": "visitor-node1", "node": "node1", "ip": "10.200.1.10", "labels": {"app": "visitor"}},
        {"name": "web-node1", "node": "node1", "ip": "10.200.1.11", "labels": {"app": "web"}},
        {"name": "visitor-node2", "node": "node2", "ip": "10.200.2.10", "labels": {"app": "visitor"}},
        {"name": "visitor-node3", "node": "node3", "ip": "10.200.3.10", "labels": {"app": "visitor"}},
    ]
    policy = {"namespace": "default", "name": "test", "selector": {"app": "visitor"},
              "destSubnet": ["172.16.25.183/32"], "eip": "172.16.25.189", "eipNode": "node2",
              "gateway": "default"}
    key = "%s-%s" % (policy["namespace"], policy["name"])
    policy["srcSet"] = ipset_name("egress-src-v4-", key)
    policy["dstSet"] = ipset_name("egress-dst-v4-", key)
    by_name = {n["name"]: n for n in nodes}
    for p in pods:
        p["namespace"] = "default"
        p["netns"] = "edl-spn-pod-" + p["name"]
        p["nodeView"] = "cni-" + uid_for("netns", p["namespace"], p["name"])
        p["hostIf"] = "cali" + hashlib.sha1(p["name"].encode()).hexdigest()[:11]
        p["selected"] = all(p["labels"].get(k) == v for k, v in policy["selector"].items())
        p["expectedEgressIP"] = policy["eip"] if p["selected"] else by_name[p["node"]]["ip"]
    return {
        "flavour": "spidernet", "layout": "v0.6.9", "nodes": nodes, "pods": pods,
        "policy": policy,
        "underlay": {"cidr": "10.6.0.0/16", "prefix": 16, "router": "10.6.0.1",
                     "netns": "edl-spn-underlay"},
        "echo": {"ip": "172.16.25.183", "port": 8080, "netns": "edl-spn-ext",
                 "url": "http://172.16.25.183:8080/"},
        "tunnelSubnet": "192.200.0.0/16", "tunnelPrefix": 16, "vni": 100, "vxlanPort": 7789,
        "podPool": "10.200.0.0/16", "serviceCIDR": "10.96.0.0/12",
    }


def azure_model(legacy):
    sgc = {"namespace": "default", "name": "static-egress", "port": 6000, "ilbIP": "10.243.0.6",
           "secondaryIP": "10.243.0.7", "secretNamespace": "kube-egress-gateway-system",
           "nodepool": "gwpool"}
    sgc["uid"] = uid_for("StaticGatewayConfiguration", sgc["namespace"], sgc["name"])
    sgc["privateKey"] = wg_private_key("sgc/" + sgc["uid"])
    sgc["publicKey"] = wg_public_key(sgc["privateKey"])
    sgc["secretName"] = "sgw-" + sgc["uid"]
    if legacy:
        gw_netns = "gw-%s-%s" % (sgc["uid"], sgc["ilbIP"].replace(".", "_"))
        gw_if, host_veth = "wg0", gw_netns[:11]
    else:
        gw_netns, gw_if, host_veth = "ns-static-egress-gateway", "wg-%d" % sgc["port"], "host-gateway"
    nodes = [
        {"name": "aks-gw-0", "ip": "10.243.0.4", "gateway": True, "netns": "edl-az-aks-gw-0"},
        {"name": "aks-worker-0", "ip": "10.243.4.4", "gateway": False,
         "netns": "edl-az-aks-worker-0"},
    ]
    container_id = hashlib.sha256(b"egressdiag-lab/client-0").hexdigest()
    pod = {"namespace": "default", "name": "client-0", "node": "aks-worker-0", "ip": "10.244.0.20",
           "gatewayIP": "10.244.0.1", "labels": {"app": "client"},
           "annotations": {"kubernetes.azure.com/static-gateway-configuration": sgc["name"]},
           "netns": "edl-az-pod-client-0", "hostIf": "azv" + container_id[:11],
           "containerID": container_id, "wgAlias": "wg" + container_id[:8],
           "mac": "b6:ee:c6:23:00:99", "selected": True,
           "expectedEgressIP": sgc["secondaryIP"]}
    pod["nodeView"] = "cni-" + uid_for("netns", pod["namespace"], pod["name"])
    pod["linkLocal"] = "fe80::b4ee:c6ff:fe23:99"
    pod["privateKey"] = wg_private_key("pod/" + pod["name"])
    pod["publicKey"] = wg_public_key(pod["privateKey"])
    return {
        "flavour": "azure", "layout": "legacy" if legacy else "current", "nodes": nodes,
        "pods": [pod], "sgc": sgc,
        "gateway": {"node": "aks-gw-0", "netns": gw_netns, "wgIf": gw_if, "hostVeth": host_veth,
                    "healthPort": 8082},
        "underlay": {"cidr": "10.243.0.0/16", "prefix": 16, "router": "10.243.255.254",
                     "netns": "edl-az-underlay"},
        "echo": {"ip": "203.0.113.10", "port": 8080, "netns": "edl-az-ext",
                 "url": "http://203.0.113.10:8080/"},
        "exceptionCIDRs": ["169.254.169.254/32", "169.254.10.11/32"],
        "podCIDR": "10.244.0.0/24",
    }


# ---------------------------------------------------------------------------------------------
# Fault catalogue: name -> (flavour, nodes touched, what it changes, expected effect)

FAULTS = [
    ("spn-calico-jump-first", "spidernet", ["node1"],
     "mangle PREROUTING: jump to a cali-PREROUTING chain (accepting workload traffic) inserted "
     "above EGRESSGATEWAY-MARK-REQUEST", "visitor-node1 leaves with node1's IP"),
    ("spn-src-ipset-missing-pod", "spidernet", ["node1"],
     "visitor-node1's IP removed from egress-src-v4-<h>", "visitor-node1 leaves with node1's IP"),
    ("spn-dst-ipset-mismatch", "spidernet", ["node1"],
     "egress-dst-v4-<h> holds 172.16.25.184 instead of destSubnet 172.16.25.183",
     "visitor-node1 leaves with node1's IP"),
    ("spn-mark-wrong", "spidernet", ["node1"],
     "MARK-REQUEST rule sets 0x26000001 (no table) instead of node2's mark",
     "visitor-node1 times out"),
    ("spn-ip-rule-missing", "spidernet", ["node1"],
     "ip rule 99 fwmark <node2 mark> deleted", "visitor-node1 times out"),
    ("spn-route-wrong-gateway", "spidernet", ["node1"],
     "table <node2 mark>: default via 192.200.0.250 (no such tunnel IP)",
     "visitor-node1 times out"),
    ("spn-vxlan-down", "spidernet", ["node1"], "egress.vxlan set down",
     "visitor-node1 times out"),
    ("spn-vxlan-wrong-vni", "spidernet", ["node1"],
     "egress.vxlan recreated with VNI 101 (address, neighbours, FDB, routes restored)",
     "visitor-node1 times out"),
    ("spn-vxlan-wrong-port", "spidernet", ["node1"],
     "egress.vxlan recreated with dstport 7790 (address, neighbours, FDB, routes restored)",
     "visitor-node1 times out"),
    ("spn-neigh-missing", "spidernet", ["node1"],
     "permanent neighbour of node2's tunnel IP removed from egress.vxlan",
     "visitor-node1 times out"),
    ("spn-fdb-missing", "spidernet", ["node1"], "FDB entry of node2's tunnel MAC removed",
     "visitor-node1 times out"),
    ("spn-rpfilter-strict", "spidernet", ["node1"],
     "net.ipv4.conf.egress.vxlan.rp_filter=1",
     "visitor-node1 times out (the echo server still sees the EIP: replies are dropped)"),
    ("spn-snat-wrong-eip", "spidernet", ["node2"],
     "SNAT-EIP rule --to-source 172.16.25.190",
     "selected pods time out; the echo server sees 172.16.25.190"),
    ("spn-snat-jump-not-first", "spidernet", ["node2"],
     "a MASQUERADE rule inserted above the SNAT-EIP jump in nat POSTROUTING",
     "selected pods leave with node2's IP"),
    ("aks-wg-link-missing", "azure", ["aks-gw-0"],
     "the gateway WireGuard link (wg-<port>; legacy wg0) deleted", "client-0 times out"),
    ("aks-wg-wrong-port", "azure", ["aks-gw-0"], "gateway WireGuard listen port 6001",
     "client-0 times out"),
    ("aks-gw-peer-missing", "azure", ["aks-gw-0"], "client-0's peer removed from the gateway",
     "client-0 times out"),
    ("aks-host0-default-route-missing", "azure", ["aks-gw-0"],
     "default route via the primary IP deleted in the gateway netns", "client-0 times out"),
    ("aks-snat-wrong-ip", "azure", ["aks-gw-0"],
     "gateway netns SNAT --to-source 10.243.0.8 (legacy: replaces the MASQUERADE)",
     "client-0 times out: the gateway host's reverse-path filter drops the packets from "
     "10.243.0.8 arriving on host-gateway"),
    ("aks-ilb-ip-missing", "azure", ["aks-gw-0"], "ILB IP removed from the gateway's eth0",
     "client-0 times out"),
    ("aks-lb-probe-unhealthy", "azure", ["aks-gw-0"],
     "health server forgets the SGC uid", "GET :8082/gw/<uid> answers 503; traffic unaffected"),
    ("aks-cni-conf-shadowed", "azure", ["aks-worker-0"],
     "/etc/cni/net.d/00-shadow.conflist sorts before 01-egressgateway.conflist",
     "state only; traffic unaffected"),
    ("aks-pod-fwmark-rule-missing", "azure", ["aks-worker-0"],
     "client-0 netns: ip rule fwmark 0x2222 lookup 8738 deleted",
     "egress unaffected; inbound connections to client-0 time out"),
    ("aks-pod-peer-endpoint-wrong", "azure", ["aks-worker-0"],
     "client-0 wg0 peer endpoint 10.243.0.9:6000", "client-0 times out"),
]


# The check each fault must fail (on the node it touches), and the checks it breaks by design
# elsewhere: a peer's ping into a broken tunnel, an end-to-end probe crossing the broken node.
# spn-mark-wrong's sed also rewrites the REPLY-ROUTING rule for node2's mark; a down vxlan device
# loses its neighbours and the routes through it. The probe and system tests assert both.
FAULT_CHECKS = {
    "spn-calico-jump-first": ("SPN-HOOK-ORDER", ["E2E-SOURCE-IP"]),
    "spn-src-ipset-missing-pod": ("SPN-IPSET-SRC", ["E2E-SOURCE-IP"]),
    "spn-dst-ipset-mismatch": ("SPN-IPSET-DST", ["E2E-SOURCE-IP"]),
    "spn-mark-wrong": ("SPN-MARK-RULE", ["E2E-SOURCE-IP", "SPN-REPLY-ROUTING"]),
    "spn-ip-rule-missing": ("SPN-IP-RULE", ["E2E-SOURCE-IP"]),
    "spn-route-wrong-gateway": ("SPN-ROUTE", ["E2E-SOURCE-IP"]),
    "spn-vxlan-down": ("SPN-VXLAN", ["SPN-TUNNEL-PING", "E2E-SOURCE-IP", "SPN-NEIGH", "SPN-ROUTE"]),
    "spn-vxlan-wrong-vni": ("SPN-VXLAN", ["SPN-TUNNEL-PING", "E2E-SOURCE-IP"]),
    "spn-vxlan-wrong-port": ("SPN-VXLAN", ["SPN-TUNNEL-PING", "E2E-SOURCE-IP"]),
    "spn-neigh-missing": ("SPN-NEIGH", ["SPN-TUNNEL-PING", "E2E-SOURCE-IP"]),
    "spn-fdb-missing": ("SPN-NEIGH", ["SPN-TUNNEL-PING", "E2E-SOURCE-IP"]),
    "spn-rpfilter-strict": ("SPN-RPFILTER", ["E2E-SOURCE-IP"]),
    "spn-snat-wrong-eip": ("SPN-SNAT-RULE", ["E2E-SOURCE-IP"]),
    "spn-snat-jump-not-first": ("SPN-HOOK-ORDER", ["E2E-SOURCE-IP"]),
    "aks-wg-link-missing": ("AKS-GW-WG", ["AKS-GW-PEERS", "AKS-GW-ROUTES", "AKS-GW-NAT",
                                          "E2E-SOURCE-IP"]),
    "aks-wg-wrong-port": ("AKS-GW-WG", ["E2E-SOURCE-IP"]),
    "aks-gw-peer-missing": ("AKS-GW-PEERS", ["E2E-SOURCE-IP"]),
    "aks-host0-default-route-missing": ("AKS-GW-ROUTES", ["E2E-SOURCE-IP"]),
    "aks-snat-wrong-ip": ("AKS-GW-NAT", ["E2E-SOURCE-IP"]),
    "aks-ilb-ip-missing": ("AKS-GW-HOST", ["E2E-SOURCE-IP"]),
    "aks-lb-probe-unhealthy": ("AKS-LB-PROBE", []),
    "aks-cni-conf-shadowed": ("AKS-CNI-CONF", []),
    "aks-pod-fwmark-rule-missing": ("AKS-POD-ROUTES", []),
    "aks-pod-peer-endpoint-wrong": ("AKS-POD-WG", ["E2E-SOURCE-IP"]),
}


def faults_for(flavour):
    return [{"name": n, "flavour": f, "nodes": nodes, "change": change, "effect": effect,
             "check": FAULT_CHECKS[n][0], "alsoFails": FAULT_CHECKS[n][1]}
            for n, f, nodes, change, effect in FAULTS if flavour in (None, f)]


# ---------------------------------------------------------------------------------------------
# spidernet iptables (shared/reference/spidernet.md §3.3)


def spidernet_rules(model, node):
    pol = model["policy"]
    nodes = model["nodes"]
    by_name = {n["name"]: n for n in nodes}
    eip_node = by_name[pol["eipNode"]]
    sets = ["-m set --match-set %s src" % pol["srcSet"], "-m set --match-set %s dst" % pol["dstSet"],
            "-m conntrack --ctdir ORIGINAL"]
    tables = {}
    # mangle
    pre = [jump("Checking for EgressPolicy matched traffic", [], "EGRESSGATEWAY-MARK-REQUEST"),
           Rule(ACCEPT_COMMENT, [mark_match(BASE_MARK, "0xff000000")], "--jump ACCEPT", None,
                "-j ACCEPT")]
    if node["gateway"]:
        pre += [jump(REPLY_COMMENT, [], "EGRESSGATEWAY-REPLY-ROUTING"),
                Rule(REPLY_COMMENT, [mark_match(BASE_MARK, "0xff000000")], "--jump ACCEPT", None,
                     "-j ACCEPT")]
    mark_req = []
    if node["name"] != eip_node["name"]:
        mark_req.append(set_mark_rule("Set mark for EgressPolicy %s-%s" % (pol["namespace"],
                                                                           pol["name"]),
                                      sets, eip_node["mark"]))
    fwd = [set_mark_rule(TUNNEL_COMMENT, [mark_match(BASE_MARK, "0xff000000")], BASE_MARK)]
    post = [Rule(TUNNEL_COMMENT, [mark_match(BASE_MARK, "0xffffffff")], "--jump ACCEPT", None,
                 "-j ACCEPT")]
    if node["gateway"]:
        post.append(Rule("clear the Mark of the inner package, rule is from the EgressGateway",
                         [mark_match("0x27", "0xffffffff")], "--jump MARK --set-mark 0x0/0xffffffff",
                         None, "-j MARK --set-xmark 0x0/0xffffffff"))
    mangle = ["*mangle", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]",
              ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]",
              ":EGRESSGATEWAY-MARK-REQUEST - [0:0]"]
    reply = []
    if node["gateway"]:
        mangle.append(":EGRESSGATEWAY-REPLY-ROUTING - [0:0]")
        for peer in nodes:
            if peer["name"] == node["name"]:
                continue
            vx = "--in-interface egress.vxlan"
            mac = "-m mac --mac-source %s" % peer["mac"]
            reply.append(set_mark_rule(
                "Mark the traffic from the EgressGateway tunnel, rule is from the EgressGateway",
                [vx, mac, "-m conntrack --ctdir ORIGINAL"], peer["mark"],
                ["-i egress.vxlan", mac, "-m conntrack --ctdir ORIGINAL"]))
            reply.append(Rule("Save mark to the connection, rule is from the EgressGateway",
                              [mark_match(peer["mark"], "0xffffffff")],
                              "--jump CONNMARK --save-mark --mask 0xffffffff", None,
                              "-j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff"))
            reply.append(set_mark_rule(
                "Clear Mark of the inner package, rule is from the EgressGateway", [vx, mac],
                BASE_MARK, ["-i egress.vxlan", mac]))
        reply.append(Rule("label for restoring connections, rule is from the EgressGateway",
                          ["-m conntrack --ctdir REPLY"],
                          "--jump CONNMARK --restore-mark --mask 0xffffffff", None,
                          "-j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff"))
    mangle += chain_lines("PREROUTING", pre) + chain_lines("FORWARD", fwd)
    mangle += chain_lines("POSTROUTING", post) + chain_lines("EGRESSGATEWAY-MARK-REQUEST", mark_req)
    if reply:
        mangle += chain_lines("EGRESSGATEWAY-REPLY-ROUTING", reply)
    mangle.append("COMMIT")
    # nat
    snat = []
    if node["name"] == eip_node["name"]:
        snat.append(Rule("snat policy %s-%s" % (pol["namespace"], pol["name"]), sets,
                         "--jump SNAT --to-source %s" % pol["eip"], None,
                         "-j SNAT --to-source %s" % pol["eip"]))
    nat = ["*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]",
           ":POSTROUTING ACCEPT [0:0]", ":EGRESSGATEWAY-SNAT-EIP - [0:0]"]
    nat += chain_lines("PREROUTING", [Rule(ACCEPT_COMMENT, [mark_match(BASE_MARK, "0xff000000")],
                                           "--jump ACCEPT", None, "-j ACCEPT")])
    nat += chain_lines("POSTROUTING", [
        jump("SNAT for egress traffic", [], "EGRESSGATEWAY-SNAT-EIP"),
        Rule(TUNNEL_COMMENT, [mark_match(BASE_MARK, "0xffffffff")], "--jump ACCEPT", None,
             "-j ACCEPT")])
    # The CNI's outgoing NAT (Calico natOutgoing), below the agent's block as with chainInsertMode
    # Append: pods not selected by a policy leave with their node's address.
    nat.append('-A POSTROUTING -s %s ! -d %s -m comment --comment "lab: CNI natOutgoing" '
               '-j MASQUERADE' % (model["podPool"], model["podPool"]))
    nat += chain_lines("EGRESSGATEWAY-SNAT-EIP", snat)
    nat.append("COMMIT")
    accept = Rule(TUNNEL_COMMENT, [mark_match(BASE_MARK, "0xffffffff")], "--jump ACCEPT", None,
                  "-j ACCEPT")
    filt = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]"]
    filt += chain_lines("FORWARD", [accept]) + chain_lines("OUTPUT", [accept])
    filt.append("COMMIT")
    tables["all"] = "\n".join(mangle + nat + filt) + "\n"
    return tables["all"]


# ---------------------------------------------------------------------------------------------
# Kubernetes objects (as `kubectl get ... -o json` prints them)


def meta(kind, name, namespace=None, labels=None, annotations=None, owner=None, ts=None,
         finalizers=None, generate_name=None):
    m = {"name": name, "uid": uid_for(kind, namespace or "", name), "resourceVersion": "1",
         "creationTimestamp": ts}
    if namespace:
        m["namespace"] = namespace
    if labels:
        m["labels"] = labels
    if annotations:
        m["annotations"] = annotations
    if owner:
        m["ownerReferences"] = [owner]
    if finalizers:
        m["finalizers"] = finalizers
    if generate_name:
        m["generateName"] = generate_name
    if kind not in ("Node", "Pod", "Secret", "Namespace"):
        m["generation"] = 1
    return m


def owner_ref(api_version, kind, name, namespace=None, controller=True):
    return {"apiVersion": api_version, "kind": kind, "name": name,
            "uid": uid_for(kind, namespace or "", name), "controller": controller,
            "blockOwnerDeletion": True}


def node_object(n, ts, labels, taints=None):
    lab = {"kubernetes.io/hostname": n["name"], "kubernetes.io/os": "linux",
           "kubernetes.io/arch": "amd64"}
    lab.update(labels)
    spec = {}
    if n.get("podCIDR"):
        spec = {"podCIDR": n["podCIDR"], "podCIDRs": [n["podCIDR"]]}
    if taints:
        spec["taints"] = taints
    return {
        "apiVersion": "v1", "kind": "Node", "metadata": meta("Node", n["name"], labels=lab, ts=ts),
        "spec": spec,
        "status": {
            "addresses": [{"type": "InternalIP", "address": n["ip"]},
                          {"type": "Hostname", "address": n["name"]}],
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                            "message": "kubelet is posting ready status",
                            "lastHeartbeatTime": ts, "lastTransitionTime": ts}],
            "nodeInfo": {"architecture": "amd64", "operatingSystem": "linux",
                         "kubeletVersion": "v1.33.13", "containerRuntimeVersion": "containerd://1.7.27",
                         "kernelVersion": os.uname().release, "osImage": "egressdiag lab",
                         "kubeProxyVersion": "", "machineID": "", "systemUUID": "",
                         "bootID": ""},
        },
    }


def pod_object(p, host_ip, ts):
    cid = p.get("containerID") or hashlib.sha256(p["name"].encode()).hexdigest()
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": meta("Pod", p["name"], p["namespace"], labels=p["labels"],
                         annotations=p.get("annotations"), ts=ts),
        "spec": {"nodeName": p["node"],
                 "containers": [{"name": "main", "image": "registry.k8s.io/e2e-test-images/agnhost:2.53"}]},
        "status": {
            "phase": "Running", "hostIP": host_ip, "hostIPs": [{"ip": host_ip}],
            "podIP": p["ip"], "podIPs": [{"ip": p["ip"]}], "startTime": ts,
            "conditions": [{"type": t, "status": "True", "lastTransitionTime": ts}
                           for t in ("PodReadyToStartContainers", "Initialized", "Ready",
                                     "ContainersReady", "PodScheduled")],
            "containerStatuses": [{"name": "main", "ready": True, "restartCount": 0,
                                   "started": True,
                                   "image": "registry.k8s.io/e2e-test-images/agnhost:2.53",
                                   "imageID": "", "containerID": "containerd://" + cid,
                                   "state": {"running": {"startedAt": ts}}}],
        },
    }


def workload_object(kind, ns, name, label, image, ready, ts):
    """A component's DaemonSet or Deployment with a ready status, so the operator's component
    checks (CMP-*) see the egress gateway's agents running, as on a real cluster."""
    selector = {"matchLabels": dict([label])}
    spec = {"selector": selector,
            "template": {"metadata": {"labels": dict([label])},
                         "spec": {"containers": [{"name": "main", "image": image}]}}}
    if kind == "DaemonSet":
        status = {"desiredNumberScheduled": ready, "currentNumberScheduled": ready,
                  "numberReady": ready, "numberAvailable": ready,
                  "updatedNumberScheduled": ready, "numberMisscheduled": 0,
                  "observedGeneration": 1}
    else:
        spec["replicas"] = ready
        status = {"replicas": ready, "readyReplicas": ready, "availableReplicas": ready,
                  "updatedReplicas": ready, "observedGeneration": 1,
                  "conditions": [{"type": "Available", "status": "True",
                                  "reason": "MinimumReplicasAvailable",
                                  "message": "Deployment has minimum availability.",
                                  "lastUpdateTime": ts, "lastTransitionTime": ts}]}
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta(kind, name, ns, ts=ts),
            "spec": spec, "status": status}


SPN = "egressgateway.spidernet.io/v1beta1"
AKS = "egressgateway.kubernetes.azure.com/v1alpha1"


def spidernet_config(model, ts):
    """The chart's ConfigMap egressgateway with the lab's settings. gatewayFailover is off (the
    chart default): no agent renews the lab tunnels' heartbeats, which is normal then."""
    conf = "\n".join([
        "datapathMode: iptables",
        "enableIPv4: true",
        "enableIPv6: false",
        "gatewayFailover:",
        "  eipEvictionTimeout: 15",
        "  enable: false",
        "  tunnelMonitorPeriod: 5",
        "  tunnelUpdatePeriod: 5",
        "iptables:",
        "  backendMode: auto",
        f"tunnelIpv4Subnet: {model['tunnelSubnet']}",
        "vxlan:",
        f"  id: {model['vni']}",
        "  name: egress.vxlan",
        f"  port: {model['vxlanPort']}",
    ]) + "\n"
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": meta("ConfigMap", "egressgateway", "kube-system", ts=ts),
            "data": {"conf.yml": conf}}


def spidernet_objects(model, ts):
    pol = model["policy"]
    by_name = {n["name"]: n for n in model["nodes"]}
    items = []
    for n in model["nodes"]:
        items.append(node_object(n, ts, {"egress": "true"} if n["gateway"] else {}))
    for p in model["pods"]:
        items.append(pod_object(p, by_name[p["node"]]["ip"], ts))
    nodes = len(model["nodes"])
    items.append(workload_object("DaemonSet", "kube-system", "egressgateway-agent",
                                 ("app.kubernetes.io/component", "egressgateway-agent"),
                                 "ghcr.io/spidernet-io/egressgateway-agent:v0.6.9", nodes, ts))
    items.append(workload_object("Deployment", "kube-system", "egressgateway-controller",
                                 ("app.kubernetes.io/component", "egressgateway-controller"),
                                 "ghcr.io/spidernet-io/egressgateway-controller:v0.6.9", 1, ts))
    items.append(spidernet_config(model, ts))
    items.append({
        "apiVersion": SPN, "kind": "EgressGateway",
        "metadata": meta("EgressGateway", pol["gateway"], ts=ts,
                         finalizers=["egressgateway.spidernet.io/egressgateway"]),
        "spec": {"clusterDefault": False,
                 "ippools": {"ipv4": [pol["eip"]], "ipv6": [], "ipv4DefaultEIP": pol["eip"],
                             "ipv6DefaultEIP": ""},
                 "nodeSelector": {"selector": {"matchLabels": {"egress": "true"}}}},
        "status": {
            "nodeList": [
                {"name": n["name"], "status": "Ready",
                 **({"eips": [{"ipv4": pol["eip"], "ipv6": "",
                               "policies": [{"name": pol["name"],
                                             "namespace": pol["namespace"]}]}]}
                    if n["name"] == pol["eipNode"] else {})}
                for n in model["nodes"] if n["gateway"]],
            "ipUsage": {"ipv4Total": 1, "ipv4Free": 0, "ipv6Total": 0, "ipv6Free": 0}},
    })
    items.append({
        "apiVersion": SPN, "kind": "EgressPolicy",
        "metadata": meta("EgressPolicy", pol["name"], pol["namespace"], ts=ts),
        "spec": {"appliedTo": {"podSelector": {"matchLabels": pol["selector"]}},
                 "destSubnet": pol["destSubnet"], "egressGatewayName": pol["gateway"],
                 "egressIP": {"allocatorPolicy": "default", "useNodeIP": False}, "priority": 0},
        "status": {"eip": {"ipv4": pol["eip"]}, "node": pol["eipNode"]},
    })
    for n in model["nodes"]:
        items.append({
            "apiVersion": SPN, "kind": "EgressTunnel",
            "metadata": meta("EgressTunnel", n["name"], ts=ts,
                             finalizers=["egressgateway.spidernet.io/egresstunnel"]),
            "spec": {},
            "status": {"tunnel": {"ipv4": n["tunnelIP"], "mac": n["mac"],
                                  "parent": {"name": "eth0", "ipv4": n["ip"]}},
                       "phase": "Ready", "mark": n["mark"], "lastHeartbeatTime": ts},
        })
    slice_name = pol["name"] + "-lab01"
    items.append({
        "apiVersion": SPN, "kind": "EgressEndpointSlice",
        "metadata": meta("EgressEndpointSlice", slice_name, pol["namespace"], ts=ts,
                         labels={"spidernet.io/policy-name": pol["name"]},
                         generate_name=pol["name"] + "-",
                         owner=owner_ref(SPN, "EgressPolicy", pol["name"], pol["namespace"])),
        "endpoints": [{"ns": p["namespace"], "pod": p["name"], "ipv4": [p["ip"]], "node": p["node"]}
                      for p in model["pods"] if p["selected"]],
    })
    items.append({
        "apiVersion": SPN, "kind": "EgressClusterInfo",
        "metadata": meta("EgressClusterInfo", "default", ts=ts),
        "spec": {"autoDetect": {"podCidrMode": "auto", "clusterIP": True, "nodeIP": True},
                 "extraCidr": []},
        "status": {"podCidrMode": "calico",
                   "nodeIP": {n["name"]: {"ipv4": [n["ip"]]} for n in model["nodes"]},
                   "clusterIP": {"ipv4": [model["serviceCIDR"]]},
                   "podCIDR": {"default-ipv4-ippool": {"ipv4": [model["podPool"]]}},
                   "extraCidr": []},
    })
    return items


def azure_objects(model, ts):
    sgc = model["sgc"]
    gw = model["gateway"]
    legacy = model["layout"] == "legacy"
    by_name = {n["name"]: n for n in model["nodes"]}
    items = []
    for n in model["nodes"]:
        if n["gateway"]:
            labels = {"kubeegressgateway.azure.com/mode": "true",
                      "kubernetes.azure.com/mode": "gateway", "agentpool": sgc["nodepool"],
                      "kubernetes.azure.com/agentpool": sgc["nodepool"]}
            taints = [{"key": "kubeegressgateway.azure.com/mode", "value": "true",
                       "effect": "NoSchedule"}]
        else:
            labels = {"agentpool": "nodepool1", "kubernetes.azure.com/agentpool": "nodepool1",
                      "kubernetes.azure.com/mode": "system"}
            taints = None
        items.append(node_object(n, ts, labels, taints))
    pod = model["pods"][0]
    items.append(pod_object(pod, by_name[pod["node"]]["ip"], ts))
    gateways = sum(1 for n in model["nodes"] if n["gateway"])
    system = "kube-egress-gateway-system"
    label = "kube-egress-gateway-control-plane"
    image = "mcr.microsoft.com/aks/kube-egress-gateway-{}:v0.0.21"
    items.append(workload_object("Deployment", system, "kube-egress-gateway-controller-manager",
                                 (label, "controller-manager"), image.format("controller"), 1, ts))
    items.append(workload_object("DaemonSet", system, "kube-egress-gateway-daemon-manager",
                                 (label, "daemon-manager"), image.format("daemon"), gateways, ts))
    items.append(workload_object("DaemonSet", system, "kube-egress-gateway-cni-manager",
                                 (label, "cni-manager"), image.format("cnimanager"),
                                 len(model["nodes"]) - gateways, ts))
    spec_common = {"gatewayNodepoolName": sgc["nodepool"], "provisionPublicIps": False}
    secret_ref = {"apiVersion": "v1", "kind": "Secret", "name": sgc["secretName"],
                  "namespace": sgc["secretNamespace"]}
    items.append({
        "apiVersion": AKS, "kind": "StaticGatewayConfiguration",
        "metadata": meta("StaticGatewayConfiguration", sgc["name"], sgc["namespace"], ts=ts,
                         finalizers=["static-gateway-configuration-controller.microsoft.com"]),
        "spec": dict(spec_common, defaultRoute="staticEgressGateway", excludeCidrs=[]),
        "status": {"egressIpPrefix": sgc["secondaryIP"],
                   "gatewayServerProfile": {"ip": sgc["ilbIP"], "port": sgc["port"],
                                            "publicKey": sgc["publicKey"],
                                            "privateKeySecretRef": secret_ref}},
    })
    items.append({
        "apiVersion": AKS, "kind": "GatewayLBConfiguration",
        "metadata": meta("GatewayLBConfiguration", sgc["name"], sgc["namespace"], ts=ts,
                         finalizers=["gateway-lb-configuration-controller.microsoft.com"],
                         owner=owner_ref(AKS, "StaticGatewayConfiguration", sgc["name"],
                                         sgc["namespace"])),
        "spec": dict(spec_common),
        "status": {"frontendIp": sgc["ilbIP"], "serverPort": sgc["port"],
                   "egressIpPrefix": sgc["secondaryIP"]},
    })
    items.append({
        "apiVersion": AKS, "kind": "GatewayVMConfiguration",
        "metadata": meta("GatewayVMConfiguration", sgc["name"], sgc["namespace"], ts=ts,
                         finalizers=["gateway-vm-configuration-controller.microsoft.com"],
                         owner=owner_ref(AKS, "GatewayLBConfiguration", sgc["name"],
                                         sgc["namespace"])),
        "spec": dict(spec_common),
        "status": {"egressIpPrefix": sgc["secondaryIP"],
                   "gatewayVMProfiles": [{"nodeName": gw["node"],
                                          "primaryIP": by_name[gw["node"]]["ip"],
                                          "secondaryIP": sgc["secondaryIP"]}]},
    })
    sgc_key = "%s/%s" % (sgc["namespace"], sgc["name"])
    pe_key = "%s/%s" % (pod["namespace"], pod["name"])
    if legacy:
        gs_spec = {"readyGatewayNamespaces": [{"staticGatewayConfiguration": sgc_key,
                                               "netnsName": gw["netns"]}],
                   "readyPeerConfigurations": [{"podEndpoint": pe_key, "netnsName": gw["netns"],
                                                "publicKey": pod["publicKey"]}]}
    else:
        gs_spec = {"readyGatewayConfigurations": [{"staticGatewayConfiguration": sgc_key,
                                                   "interfaceName": gw["wgIf"]}],
                   "readyPeerConfigurations": [{"podEndpoint": pe_key, "interfaceName": gw["wgIf"],
                                                "publicKey": pod["publicKey"]}]}
    items.append({
        "apiVersion": AKS, "kind": "GatewayStatus",
        "metadata": meta("GatewayStatus", gw["node"], sgc["secretNamespace"], ts=ts,
                         owner=dict(owner_ref("v1", "Node", gw["node"]), controller=False)),
        "spec": gs_spec, "status": {},
    })
    items.append({
        "apiVersion": AKS, "kind": "PodEndpoint",
        "metadata": meta("PodEndpoint", pod["name"], pod["namespace"], ts=ts,
                         owner=owner_ref("v1", "Pod", pod["name"], pod["namespace"])),
        "spec": {"staticGatewayConfiguration": sgc["name"], "podIpAddress": pod["ip"] + "/32",
                 "podPublicKey": pod["publicKey"]},
        "status": {},
    })
    items.append({
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        # No owner reference: the SGC lives in another namespace, and a cross-namespace owner
        # makes the garbage collector delete the Secret.
        "metadata": meta("Secret", sgc["secretName"], sgc["secretNamespace"], ts=ts),
        "data": {"PrivateKey": base64.b64encode(sgc["privateKey"].encode()).decode()},
    })
    return items


def cni_conflists():
    master = {"cniVersion": "0.3.0", "name": "azure", "plugins": [
        {"type": "azure-vnet", "mode": "transparent", "ipsToRouteViaHost": ["169.254.20.10"],
         "executionMode": "v4swift", "ipam": {"mode": "v4overlay", "type": "azure-cns"}},
        {"type": "portmap", "capabilities": {"portMappings": True}, "snat": True}]}
    egress = {"excludedCIDRs": ["169.254.169.254/32", "169.254.10.11/32"],
              "ipam": {"type": "kube-egress-cni-ipam"}, "socketPath": "localhost:50051",
              "type": "kube-egress-cni"}
    ours = dict(master)
    ours["plugins"] = [master["plugins"][0], egress] + master["plugins"][1:]
    return json.dumps(master, indent=2) + "\n", json.dumps(ours, indent=2, sort_keys=True) + "\n"


# ---------------------------------------------------------------------------------------------
# Rendering to the state directory


def shell_var(name):
    return name.replace("-", "_").replace(".", "_")


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def render(flavour, state, legacy):
    model = spidernet_model() if flavour == "spidernet" else azure_model(legacy)
    ts = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    items = spidernet_objects(model, ts) if flavour == "spidernet" else azure_objects(model, ts)
    objects = {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
               "items": items}
    write(os.path.join(state, "objects.json"), json.dumps(objects, indent=4) + "\n")

    env = {"LAB_FLAVOUR": flavour, "LAB_LAYOUT": model["layout"], "LAB_STATE": state,
           "LAB_OBJECTS": os.path.join(state, "objects.json"),
           "LAB_ECHO_URL": model["echo"]["url"], "LAB_ECHO_IP": model["echo"]["ip"],
           "LAB_ECHO_PORT": str(model["echo"]["port"]), "LAB_ECHO_NETNS": model["echo"]["netns"],
           "LAB_ECHO_LOG": os.path.join(state, "echo.log"),
           "LAB_UNDERLAY_NETNS": model["underlay"]["netns"],
           "LAB_UNDERLAY_PREFIX": str(model["underlay"]["prefix"]),
           "LAB_ROUTER_IP": model["underlay"]["router"],
           "LAB_NODES": " ".join(n["name"] for n in model["nodes"]),
           "LAB_PODS": " ".join(p["name"] for p in model["pods"])}
    for n in model["nodes"]:
        v = "LAB_NODE_" + shell_var(n["name"]) + "_"
        for key in ("netns", "ip", "podCIDR", "tunnelIP", "mac", "mark"):
            if key in n:
                env[v + shell_var(key).upper()] = n[key]
        env[v + "GATEWAY"] = "1" if n["gateway"] else "0"
        env[v + "DIR"] = os.path.join(state, "nodes", n["name"])
    for p in model["pods"]:
        v = "LAB_POD_" + shell_var(p["name"]) + "_"
        for key in ("namespace", "node", "ip", "netns", "nodeView", "hostIf", "expectedEgressIP"):
            env[v + shell_var(key).upper()] = p[key]
        env[v + "SELECTED"] = "1" if p["selected"] else "0"
    if flavour == "spidernet":
        pol = model["policy"]
        env.update({"LAB_EIP": pol["eip"], "LAB_EIP_NODE": pol["eipNode"],
                    "LAB_SRC_SET": pol["srcSet"], "LAB_DST_SET": pol["dstSet"],
                    "LAB_DEST_SUBNET": " ".join(pol["destSubnet"]),
                    "LAB_TUNNEL_PREFIX": str(model["tunnelPrefix"]), "LAB_VNI": str(model["vni"]),
                    "LAB_VXLAN_PORT": str(model["vxlanPort"]), "LAB_POD_POOL": model["podPool"],
                    "LAB_SERVICE_CIDR": model["serviceCIDR"]})
        for n in model["nodes"]:
            write(os.path.join(state, "nodes", n["name"], "iptables.rules"),
                  spidernet_rules(model, n))
    else:
        sgc, gw, pod = model["sgc"], model["gateway"], model["pods"][0]
        env.update({"LAB_SGC_UID": sgc["uid"], "LAB_SGC_PORT": str(sgc["port"]),
                    "LAB_ILB_IP": sgc["ilbIP"], "LAB_SECONDARY_IP": sgc["secondaryIP"],
                    "LAB_GW_NODE": gw["node"], "LAB_GW_NETNS": gw["netns"],
                    "LAB_GW_WG_IF": gw["wgIf"], "LAB_GW_HOST_VETH": gw["hostVeth"],
                    "LAB_HEALTH_PORT": str(gw["healthPort"]),
                    "LAB_GW_PRIVATE_KEY": sgc["privateKey"], "LAB_GW_PUBLIC_KEY": sgc["publicKey"],
                    "LAB_POD": pod["name"], "LAB_POD_PRIVATE_KEY": pod["privateKey"],
                    "LAB_POD_PUBLIC_KEY": pod["publicKey"], "LAB_POD_GW_IP": pod["gatewayIP"],
                    "LAB_POD_MAC": pod["mac"], "LAB_POD_LINK_LOCAL": pod["linkLocal"],
                    "LAB_POD_WG_ALIAS": pod["wgAlias"], "LAB_POD_CIDR": model["podCIDR"],
                    "LAB_EXCEPTION_CIDRS": " ".join(model["exceptionCIDRs"])})
        master, ours = cni_conflists()
        write(os.path.join(state, "cni", "10-azure.conflist"), master)
        write(os.path.join(state, "cni", "01-egressgateway.conflist"), ours)
    write(os.path.join(state, "lab.env"),
          "".join("%s=%s\n" % (k, shlex_quote(v)) for k, v in env.items()))

    lab = {
        "flavour": flavour, "layout": model["layout"], "stateDir": state,
        "objects": os.path.join(state, "objects.json"),
        "echo": dict(model["echo"], log=os.path.join(state, "echo.log")),
        "nodes": [{"name": n["name"], "netns": n["netns"],
                   "netnsPath": "/run/netns/" + n["netns"],
                   "mountNs": os.path.join(state, "nodes", n["name"], "mnt"),
                   "internalIP": n["ip"], "gateway": n["gateway"],
                   **({"tunnelIP": n["tunnelIP"], "mark": n["mark"], "tunnelMAC": n["mac"]}
                      if flavour == "spidernet" else {})}
                  for n in model["nodes"]],
        "pods": [{"namespace": p["namespace"], "name": p["name"], "node": p["node"], "ip": p["ip"],
                  "netns": p["netns"], "netnsPath": "/run/netns/" + p["netns"],
                  "nodeNetnsName": p["nodeView"], "selected": p["selected"],
                  "expectedEgressIP": p["expectedEgressIP"]} for p in model["pods"]],
        "faults": faults_for(flavour),
    }
    if flavour == "spidernet":
        lab["policy"] = {k: model["policy"][k] for k in ("namespace", "name", "eip", "eipNode",
                                                         "srcSet", "dstSet", "destSubnet")}
    else:
        lab["gateway"] = dict(model["gateway"], sgcUID=model["sgc"]["uid"],
                              port=model["sgc"]["port"], ilbIP=model["sgc"]["ilbIP"],
                              secondaryIP=model["sgc"]["secondaryIP"],
                              healthURL="http://%s:%d/gw/%s" % (
                                  model["nodes"][0]["ip"], model["gateway"]["healthPort"],
                                  model["sgc"]["uid"]))
    write(os.path.join(state, "lab.json"), json.dumps(lab, indent=2) + "\n")


def shlex_quote(v):
    import shlex
    return shlex.quote(v)


# ---------------------------------------------------------------------------------------------


def selftest():
    pol = "default-test"
    src = ipset_name("egress-src-v4-", pol)
    dst = ipset_name("egress-dst-v4-", pol)
    sets = ["-m set --match-set %s src" % src, "-m set --match-set %s dst" % dst,
            "-m conntrack --ctdir ORIGINAL"]
    cases = [
        (egw_hashes("PREROUTING", [
            (["Checking for EgressPolicy matched traffic"], [], "--jump EGRESSGATEWAY-MARK-REQUEST"),
            ([ACCEPT_COMMENT], ["-m mark --mark 0x26000000/0xff000000"], "--jump ACCEPT")]),
         ["Lh98b3mb9WlZrgw7", "4vaggeYl6c-Gn0Yv"]),
        (egw_hashes("POSTROUTING", [
            (["SNAT for egress traffic"], [], "--jump EGRESSGATEWAY-SNAT-EIP"),
            ([TUNNEL_COMMENT], ["-m mark --mark 0x26000000/0xffffffff"], "--jump ACCEPT")]),
         ["x1tdBi75jif7GCxh", "lefvkAAcigCbsdOb"]),
        (egw_hashes("EGRESSGATEWAY-MARK-REQUEST", [
            (["Set mark for EgressPolicy default-test"], sets,
             "--jump MARK --set-mark 0x26b7b4e4/0xffffffff")]), ["c2Rxsf_p-hXQYsiG"]),
        (egw_hashes("EGRESSGATEWAY-SNAT-EIP", [
            (["snat policy default-test"], sets, "--jump SNAT --to-source 172.16.25.189")]),
         ["Jv9_F-2cYSllqljc"]),
        ([src, dst], ["egress-src-v4-738bb014438bdbfe7", "egress-dst-v4-738bb014438bdbfe7"]),
        ([tunnel_mac("node1"), tunnel_mac("node2")], ["66:c5:d6:cc:29:54", "66:66:41:3e:23:6b"]),
    ]
    # The lab's own rendering must carry the seed hashes for the static rules.
    rendered = spidernet_rules(spidernet_model(), spidernet_model()["nodes"][0])
    for h in ("Lh98b3mb9WlZrgw7", "4vaggeYl6c-Gn0Yv", "x1tdBi75jif7GCxh", "lefvkAAcigCbsdOb",
              "2kqsECEMrvzlVMA3", "OmRHwNHpRbvgdaPu", "bx14gEwdI2z4JR7V", "k9r8D6t2n2nfb88V",
              "1l0yvxSlKPV6W8en", "QZatZARIgegXh8rb", "ymEAarDWTR9SHgDS", "AROneiv3FWSogWf-"):
        cases.append((["egw:" + h in rendered], [True]))
    failed = 0
    for got, want in cases:
        status = "ok" if got == want else "MISMATCH"
        failed += got != want
        print("%-8s got=%s want=%s" % (status, got, want))
    return 1 if failed else 0


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = argv[1]
    if cmd == "render" and len(argv) >= 4 and argv[2] in ("spidernet", "azure"):
        render(argv[2], argv[3], "--legacy" in argv[4:])
        return 0
    if cmd == "faults":
        flavour = argv[2] if len(argv) > 2 else None
        for f in faults_for(flavour):
            print("%-34s %-9s node(s): %-14s %s -> %s; fails %s" % (
                f["name"], f["flavour"], ",".join(f["nodes"]), f["change"], f["effect"],
                f["check"]))
        return 0
    if cmd == "fault-names":
        print("\n".join(f["name"] for f in faults_for(argv[2] if len(argv) > 2 else None)))
        return 0
    if cmd == "selftest":
        return selftest()
    if cmd == "egw-hash" and len(argv) >= 4:
        rules = [tuple(json.loads(r)) for r in argv[3:]]
        print("\n".join(egw_hashes(argv[2], rules)))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

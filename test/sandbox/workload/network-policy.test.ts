/**
 * NetworkPolicy semantics on one connection, as an enforcing CNI applies them: isolation by
 * podSelector and policyTypes, ingress peers by podSelector / namespaceSelector / both / ipBlock,
 * ports by number, name and range, egress rules, and policies adding up.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KObject } from "../../../sandbox/api/types.ts";
import { cidrContains, connectionAllowed, parsePolicy, type Peer } from "../../../sandbox/workload/network-policy.ts";

const NS = "hotel-reservation";
const np = (name: string, spec: Record<string, unknown>, ns = NS): KObject => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace: ns }, spec });
const pod = (app: string, ns = NS, ip = "10.244.1.5"): Peer => ({ namespace: ns, labels: { app }, ip, namedPorts: { grpc: 8084 } });
const nsLabels = (ns: string) => ({ "kubernetes.io/metadata.name": ns, ...(ns === "monitoring" ? { team: "obs" } : {}) });
const allowed = (policies: KObject[], from: Peer, to: Peer, port = 8084) => connectionAllowed(policies.map(parsePolicy), from, to, port, nsLabels);

describe("NetworkPolicy semantics", () => {
  it("a pod no policy selects is open; a deny-all ingress policy isolates only the pods it selects", () => {
    const deny = np("deny-rate", { podSelector: { matchLabels: { app: "rate" } }, policyTypes: ["Ingress"] });
    assert.equal(allowed([], pod("search"), pod("rate")), true);
    assert.equal(allowed([deny], pod("search"), pod("rate")), false);
    assert.equal(allowed([deny], pod("search"), pod("geo"), 8083), true);
    assert.equal(allowed([deny], { ip: "172.18.0.1" }, pod("rate")), false, "outside clients are dropped too");
    const denyAll = np("deny-all", { podSelector: {}, policyTypes: ["Ingress"] });
    assert.equal(allowed([denyAll], pod("search"), pod("geo"), 8083), false);
  });

  it("ingress peers: podSelector (same namespace), namespaceSelector, both, ipBlock", () => {
    const fromSearch = np("from-search", { podSelector: { matchLabels: { app: "rate" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "search" } } }] }] });
    assert.equal(allowed([fromSearch], pod("search"), pod("rate")), true);
    assert.equal(allowed([fromSearch], pod("frontend"), pod("rate")), false);
    assert.equal(allowed([fromSearch], pod("search", "other"), pod("rate")), false, "podSelector alone means the policy's namespace");
    const fromMonitoring = np("from-mon", { podSelector: { matchLabels: { app: "rate" } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "obs" } } }] }] });
    assert.equal(allowed([fromMonitoring], pod("prometheus", "monitoring"), pod("rate")), true);
    assert.equal(allowed([fromMonitoring], pod("search"), pod("rate")), false);
    const both = np("both", { podSelector: { matchLabels: { app: "rate" } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "obs" } }, podSelector: { matchLabels: { app: "prometheus" } } }] }] });
    assert.equal(allowed([both], pod("prometheus", "monitoring"), pod("rate")), true);
    assert.equal(allowed([both], pod("grafana", "monitoring"), pod("rate")), false);
    const block = np("block", { podSelector: { matchLabels: { app: "rate" } }, ingress: [{ from: [{ ipBlock: { cidr: "10.244.0.0/16", except: ["10.244.2.0/24"] } }] }] });
    assert.equal(allowed([block], pod("search", NS, "10.244.1.5"), pod("rate")), true);
    assert.equal(allowed([block], pod("search", NS, "10.244.2.5"), pod("rate")), false);
    assert.equal(cidrContains("0.0.0.0/0", "1.2.3.4"), true);
  });

  it("ports by number, by named container port, by range; an empty rule allows everything", () => {
    const port = (ports: unknown[]) => np("p", { podSelector: { matchLabels: { app: "rate" } }, ingress: [{ ports }] });
    assert.equal(allowed([port([{ protocol: "TCP", port: 8084 }])], pod("search"), pod("rate")), true);
    assert.equal(allowed([port([{ protocol: "TCP", port: 9999 }])], pod("search"), pod("rate")), false);
    assert.equal(allowed([port([{ protocol: "TCP", port: "grpc" }])], pod("search"), pod("rate")), true);
    assert.equal(allowed([port([{ protocol: "TCP", port: 8000, endPort: 8100 }])], pod("search"), pod("rate")), true);
    assert.equal(allowed([port([{ protocol: "UDP", port: 8084 }])], pod("search"), pod("rate")), false);
    assert.equal(allowed([np("all", { podSelector: {}, ingress: [{}] })], pod("search"), pod("rate")), true);
  });

  it("policies add up, and egress policies restrict the sender", () => {
    const deny = np("deny", { podSelector: { matchLabels: { app: "rate" } }, policyTypes: ["Ingress"] });
    const allowSearch = np("allow", { podSelector: { matchLabels: { app: "rate" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "search" } } }] }] });
    assert.equal(allowed([deny, allowSearch], pod("search"), pod("rate")), true);
    const egress = np("egress", { podSelector: { matchLabels: { app: "search" } }, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: { matchLabels: { app: "geo" } } }] }] });
    assert.equal(allowed([egress], pod("search"), pod("geo"), 8083), true);
    assert.equal(allowed([egress], pod("search"), pod("rate")), false);
    assert.equal(allowed([egress], pod("frontend"), pod("rate")), true);
  });
});

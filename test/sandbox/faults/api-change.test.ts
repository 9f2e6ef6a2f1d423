/**
 * The generic api-change fault on a live sandbox, over HTTP like any client: a ResourceQuota
 * created and a MongoDB restarted leaves the database unable to start (FailedCreate "exceeded
 * quota" in `kubectl get events`, Used/Hard in `kubectl describe quota`); deleting a Service fails
 * the oracle until the Service exists again; a change the server refuses is refused at its dry run,
 * naming the field, with nothing applied; and `stratus sandbox inject api-change --param-file`
 * does the same by hand.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { KObject } from "../../../sandbox/api/types.ts";
import { faultByKind, isFaultError, KubeClient } from "../../../sandbox/faults/index.ts";
import { sandboxFaultsCommand } from "../../../src/cli/commands/sandbox-faults.ts";
import { expectEdgeErrors, expectLog, withApp } from "./helpers.ts";

const apiChange = faultByKind("api-change");

/** The oracle passes within `simMs` of simulated time. */
async function oraclePasses(s: Parameters<Parameters<typeof withApp>[2]>[0], target: { kind: string; name: string; namespace: string }, what: string): Promise<void> {
  await s.until(what, async () => {
    const v = await apiChange.oracle(s.ctx, target);
    if (!v.ok) throw new Error(v.reasons.join("; "));
    return true;
  }, 600_000, 10_000);
}

describe("api-change", { timeout: 600_000 }, () => {
  it("create a ResourceQuota, restart a MongoDB: FailedCreate exceeded quota; deleting the quota fixes it", async () => {
    await withApp("hotel-reservation", { kind: "ResourceQuota", name: "compute" }, async (s) => {
      const target = s.target;
      const rec = await apiChange.inject(s.ctx, target, { op: "create", manifest: { spec: { hard: { pods: "10" } } }, restart: ["mongodb-geo"] });
      assert.deepEqual(rec.changes.map((c) => c.verb), ["create", "patch"]);
      const quota = await s.kube.require(KubeClient.ref("ResourceQuota", s.ns, "compute"));
      assert.deepEqual(Object.keys(quota.metadata.annotations ?? {}), [], "no annotation on what was created");
      await s.advance(60_000);
      const events = await s.kubectl("get", "events", "--field-selector", "reason=FailedCreate");
      assert.match(events, /Error creating: pods "mongodb-geo-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=\d+, limited: pods=10/);
      assert.match(await s.kubectl("describe", "quota", "compute"), /Resource\s+Used\s+Hard[\s\S]*pods\s+\d+\s+10/);
      assert.match(await s.kubectl("get", "quota", "compute", "--no-headers"), /^compute\s+\S+\s+pods: \d+\/10/);
      const broken = await apiChange.oracle(s.ctx, target);
      assert.equal(broken.ok, false);
      assert.ok(broken.reasons.some((r) => r.includes("mongodb-geo")), broken.reasons.join("; "));
      // The textbook fix: the quota was not there before, so removing it is fine.
      await s.kubectl("delete", "resourcequota", "compute");
      await oraclePasses(s, target, "the oracle passes once the quota is gone");
    });
  });

  it("delete a Service: callers fail to resolve it; the oracle fails until the Service exists again", async () => {
    await withApp("hotel-reservation", { kind: "Service", name: "geo" }, async (s) => {
      const saved = await s.kube.require(KubeClient.ref("Service", s.ns, "geo"));
      await apiChange.inject(s.ctx, s.target, { op: "delete" });
      await s.advance(60_000);
      assert.equal((await s.cluster.kubectl(["-n", s.ns, "get", "service", "geo"])).code, 1);
      const logs = await s.logs("search", { tail: 200 });
      assert.match(logs, /geo.*(no such host|lookup geo)/);
      const v = await apiChange.oracle(s.ctx, s.target);
      assert.ok(v.reasons.some((r) => /Service hotel-reservation\/geo existed before the change and is gone/.test(r)), v.reasons.join("; "));
      const { uid, resourceVersion, creationTimestamp, ...meta } = saved.metadata as Record<string, unknown>;
      void uid; void resourceVersion; void creationTimestamp;
      const spec = { ...saved.spec };
      delete spec.clusterIP;
      delete spec.clusterIPs;
      await s.kube.create({ apiVersion: "v1", kind: "Service", metadata: meta as KObject["metadata"], spec });
      await oraclePasses(s, s.target, "the oracle passes once the Service is back");
    });
  });

  it("a Service's port changed: callers still dial the port in their config and are refused; an egress policy cuts frontend off", async () => {
    await withApp("hotel-reservation", { kind: "Service", name: "rate" }, async (s) => {
      await apiChange.inject(s.ctx, s.target, { op: "json-patch", patch: [{ op: "replace", path: "/spec/ports/0/port", value: 8085 }] });
      await s.advance(30_000);
      await expectEdgeErrors(s, "search", "rate", 0.9);
      // Nothing answers on the ClusterIP at the old port: the dial times out, as with kube-proxy.
      await expectLog(s, "search", /rate\.GetRates failed: rpc error: code = DeadlineExceeded/);
      const egress = { kind: "NetworkPolicy", name: "frontend-egress", namespace: s.ns };
      await apiChange.inject(s.ctx, egress, { op: "create", manifest: { spec: { podSelector: { matchLabels: { app: "frontend" } }, policyTypes: ["Egress"] } } });
      await s.advance(30_000);
      await expectEdgeErrors(s, "frontend", "search", 0.9);
      assert.match(await s.kubectl("describe", "networkpolicy", "frontend-egress"), /Allowing egress traffic:\s+<none> \(Selected pods are isolated for egress connectivity\)/);
    });
  });

  it("a change the server refuses fails at its dry run, names the field, and applies nothing", async () => {
    await withApp("hotel-reservation", { kind: "Deployment", name: "geo" }, async (s) => {
      const before = await s.deployment("geo");
      const cm = await s.kube.require(KubeClient.ref("ConfigMap", s.ns, "geo-config"));
      await assert.rejects(apiChange.inject(s.ctx, s.target, { op: "merge-patch", patch: { spec: { replicas: -1 } }, restart: ["geo"] }), (e) => {
        assert.ok(isFaultError(e));
        assert.match(e.message, /^params\.patch: the API server refused the change to Deployment\/geo in hotel-reservation \(422 Invalid\): .*spec\.replicas/);
        return true;
      });
      await assert.rejects(apiChange.inject(s.ctx, s.target, { op: "json-patch", patch: [{ op: "test", path: "/spec/replicas", value: 7 }, { op: "replace", path: "/spec/replicas", value: 0 }] }), /params\.patch: .*test failed/);
      await assert.rejects(apiChange.inject(s.ctx, { ...s.target, kind: "ConfigMap", name: "geo-config" }, { op: "create", manifest: { data: {} } }), /target\.name: .*already exists/);
      await assert.rejects(apiChange.inject(s.ctx, { ...s.target, kind: "Gadget", name: "x" }, { op: "delete" }), /target\.kind: the API server serves no kind "Gadget"/);
      await assert.rejects(apiChange.inject(s.ctx, s.target, { op: "delete", patch: {} }), /params\.patch: not allowed with op delete/);
      const after = await s.deployment("geo");
      assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion, "the Deployment is untouched");
      assert.equal((await s.kube.require(KubeClient.ref("ConfigMap", s.ns, "geo-config"))).metadata.resourceVersion, cm.metadata.resourceVersion);
      assert.equal(s.ctx.records.length, 0, "nothing recorded");
    });
  });

  it("by hand: stratus sandbox inject api-change --param op=json-patch --param-file patch.json", async () => {
    await withApp("hotel-reservation", { kind: "Service", name: "rate" }, async (s) => {
      const dir = mkdtempSync(join(tmpdir(), "api-change-"));
      try {
        const file = join(dir, "patch.json");
        writeFileSync(file, JSON.stringify([{ op: "replace", path: "/spec/ports/0/port", value: 8085 }]));
        const out: string[] = [];
        const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
        const code = await sandboxFaultsCommand("inject", ["api-change", "--target", "Service/rate", "--param", "op=json-patch", "--param-file", file, "--kubeconfig", s.cluster.kubeconfigFile], io);
        assert.equal(code, 0, out.join("\n"));
        assert.match(out.join("\n"), /patch Service hotel-reservation\/rate: json-patch: replace \/spec\/ports\/0\/port/);
        assert.match(await s.kubectl("get", "service", "rate", "--no-headers"), /8085\/TCP/);
        // A by-hand change the server refuses is an error that names the field.
        writeFileSync(file, JSON.stringify({ spec: { ports: [{ port: 0 }] } }));
        await assert.rejects(sandboxFaultsCommand("inject", ["api-change", "--target", "Service/rate", "--param", "op=merge-patch", "--param-file", file, "--kubeconfig", s.cluster.kubeconfigFile], io), /params\.patch: .*spec\.ports\[0\]\.port/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

/**
 * The health checks against the sandbox cluster over HTTP, with its real controllers (scheduler,
 * kubelet, deployment and endpoints controllers): a healthy nginx Deployment passes; an image that
 * cannot be pulled fails container-states and deployments-available; "fixing" it by scaling to zero
 * is not an improvement while restoring the image is; an unschedulable pod fails pods-pending; an
 * OOM crash loop fails container-states and restart growth.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RealClock } from "../../sandbox/index.ts";
import type { KubeObject } from "../../src/kube/types.ts";
import { KubeClient } from "../../src/kube/kube-client.ts";
import type { HealthInput, HealthReport } from "../../src/telemetry/health-check.ts";
import { improved, measureHealth, regressed, replicaBaseline } from "../../src/telemetry/health.ts";
import { eventually, startTestCluster, type TestCluster } from "../helpers/sandbox.ts";

const NS = "shop";
const WAIT = 60_000;

function deployment(name: string, image: string, replicas: number, extra: { nodeSelector?: Record<string, string>; args?: string[]; memory?: string; recreate?: boolean } = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      ...(extra.recreate ? { strategy: { type: "Recreate" } } : {}),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          ...(extra.nodeSelector ? { nodeSelector: extra.nodeSelector } : {}),
          containers: [{ name: "main", image, ...(extra.args ? { args: extra.args } : {}), ...(extra.memory ? { resources: { limits: { memory: extra.memory } } } : {}), ports: [{ containerPort: 80 }] }],
        },
      },
    },
  };
}
const service = (name: string): KubeObject => ({ apiVersion: "v1", kind: "Service", metadata: { name, namespace: NS }, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 80 }] } });

/** Measures until `pred` holds (the controllers work in their own time); returns that report. */
const measuredWhen = (ctx: HealthInput, pred: (h: HealthReport) => boolean, what: string): Promise<HealthReport> =>
  eventually(async () => {
    const h = await measureHealth(ctx);
    return pred(h) ? h : undefined;
  }, WAIT, what);

const byKey = (r: HealthReport) => new Map(r.results.map((x) => [`${x.check}:${x.entity}`, x]));
const status = (r: HealthReport, key: string) => byKey(r).get(key)?.status;

describe("health checks against the sandbox", { timeout: 240_000 }, () => {
  let cluster: TestCluster;
  let client: KubeClient;
  let input: HealthInput;

  before(async () => {
    const clock = new RealClock(20);
    cluster = await startTestCluster({ clock });
    client = new KubeClient(cluster.kc);
    await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
    input = { cluster: client, namespaces: [NS], clock, config: { pendingGraceMs: "30s" } };
  });
  after(() => cluster?.close());

  it("a healthy nginx Deployment with its Service passes every cluster check", async () => {
    await client.create(deployment("web", "nginx:1.27", 2));
    await client.create(service("web"));
    const r = await measuredWhen(input, (h) => status(h, "deployments-available:shop/web") === "pass" && status(h, "endpoints-ready:shop/web") === "pass", "web to become available");
    for (const check of ["deployments-available", "container-states", "restarts", "pods-pending", "endpoints-ready"]) {
      assert.equal(status(r, `${check}:shop/web`), "pass", `${check}: ${JSON.stringify(byKey(r).get(`${check}:shop/web`))}`);
    }
    assert.equal(status(r, "service-slo:*"), "skipped");
    assert.equal(status(r, "firing-alerts:*"), "skipped");
    assert.equal(r.severity, 0);
    assert.ok(Object.keys(r.restarts).some((k) => k.startsWith("shop/web-")), "the report keeps restart counts for the next measurement");
  });

  it("an unpullable image fails container-states and deployments-available; scaling it to zero is no fix, restoring the image is", async () => {
    const baselineReplicas = await replicaBaseline(input); // before the incident: web 2
    // Recreate: the bad release takes every old pod down, so the Deployment is truly unavailable.
    await client.create(deployment("api", "nginx:1.27", 2, { recreate: true }));
    await client.create(service("api"));
    await eventually(async () => status(await measureHealth(input), "deployments-available:shop/api") === "pass", WAIT, "api available");
    baselineReplicas.set("shop/api", 2);
    const ctx = { ...input, baselineReplicas };

    // The incident: a release with an image tag that does not exist.
    await client.patch({ apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "api" }, { spec: { template: { spec: { containers: [{ name: "main", image: "nginx:9.9.9-missing" }] } } } }, "strategic");
    const h0 = await measuredWhen(ctx, (h) => status(h, "container-states:shop/api") === "fail" && status(h, "deployments-available:shop/api") === "fail", "the bad image to show");
    const states = byKey(h0).get("container-states:shop/api")!;
    assert.match(states.evidence.join("\n"), /pod api-[a-z0-9]+-[a-z0-9]+ container main: waiting: (ImagePullBackOff|ErrImagePull).*nginx:9\.9\.9-missing/);
    assert.equal(status(h0, "deployments-available:shop/web"), "pass");

    // A fake fix: scale the broken Deployment to zero. Its failing pods vanish, nothing is fixed.
    await client.patch({ apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "api" }, { spec: { replicas: 0 } }, "merge");
    const h1 = await measuredWhen(ctx, (h) => !byKey(h).has("container-states:shop/api"), "the api pods to go");
    assert.equal(status(h1, "deployments-available:shop/api"), "fail");
    assert.match(byKey(h1).get("deployments-available:shop/api")!.evidence.join("\n"), /spec\.replicas is 0, below the 2 it had before the incident/);
    assert.equal(improved(h0, h1).improved, false, improved(h0, h1).reasons.join("; "));
    assert.match(improved(h0, h1).reasons.join("; "), /still counted as failing.*container-states:shop\/api/);

    // The real fix: the previous image at the previous scale.
    await client.patch({ apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "api" }, { spec: { replicas: 2, template: { spec: { containers: [{ name: "main", image: "nginx:1.27" }] } } } }, "strategic");
    const h2 = await measuredWhen(ctx, (h) => status(h, "deployments-available:shop/api") === "pass" && status(h, "container-states:shop/api") === "pass" && status(h, "endpoints-ready:shop/api") === "pass", "api to recover");
    assert.deepEqual(regressed(h0, h2), { regressed: false, reasons: [] });
    const verdict = improved(h0, h2);
    assert.equal(verdict.improved, true, verdict.reasons.join("; "));
    assert.match(verdict.reasons.join("; "), /resolved: .*container-states:shop\/api/);
  });

  it("a pod that cannot be scheduled fails pods-pending once its grace period is over", async () => {
    await client.create(deployment("batch", "nginx:1.27", 1, { nodeSelector: { "kubernetes.io/hostname": "node-99" } }));
    const r = await measuredWhen(input, (h) => status(h, "pods-pending:shop/batch") === "fail", "batch to be judged stuck");
    const evidence = byKey(r).get("pods-pending:shop/batch")!.evidence.join("\n");
    assert.match(evidence, /pod batch-[a-z0-9-]+ Pending for \d+s \(grace 30s\)/);
    assert.match(evidence, /FailedScheduling.*node\(s\) didn't match Pod's node affinity\/selector/);
    await client.delete({ apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "batch" });
  });

  it("an OOM crash loop fails container-states, and restarts once the count climbs", async () => {
    await client.create(deployment("hog", "ghcr.io/stratus-sandbox/memhog:1.0", 1, { args: ["--mem=256Mi"], memory: "64Mi" }));
    const first = await measuredWhen(input, (h) => status(h, "container-states:shop/hog") === "fail", "hog to be OOMKilled");
    assert.match(byKey(first).get("container-states:shop/hog")!.evidence.join("\n"), /OOMKilled|CrashLoopBackOff/);
    // Restart growth is measured from the first observation: the back-off (10 s, 20 s, 40 s of
    // sandbox time) lets it climb by 2 within a few wall seconds at 20x.
    const later = await measuredWhen({ ...input, previous: first }, (h) => status(h, "restarts:shop/hog") === "fail", "restarts to climb");
    assert.match(byKey(later).get("restarts:shop/hog")!.evidence.join("\n"), /restarts \d+ → \d+/);
    assert.ok(later.failing.includes("restarts:shop/hog"));
  });
});

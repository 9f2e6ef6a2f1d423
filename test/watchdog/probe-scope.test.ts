/**
 * The loop's health probe for a transaction: it measures every namespace the plan touches, not only
 * the watched ones (a plan writing into `other` is judged on `other` too), and it counts alerts
 * only for the incident's namespace and services — and asks the alert intake about bursts in the
 * same scope.
 */
import { join, dirname } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_POLICY } from "../../src/core/policy.ts";
import { WriterLock } from "../../src/core/lock.ts";
import { closeCheckpointer, openCheckpointer, type GraphDeps } from "../../src/graph/index.ts";
import type { Incident } from "../../src/incident/types.ts";
import { AlertStore } from "../../src/server/index.ts";
import { IncidentLoop } from "../../src/watchdog/loop.ts";
import { startTnrFixture, type TnrFixture } from "../helpers/tnr.ts";
import { stubAgents } from "../graph/stub-agents.ts";

const incident: Incident = {
  id: "INC-1", namespace: "default", openedAt: "2026-01-01T00:00:00Z", onsetAt: "2026-01-01T00:00:00Z", severity: "critical",
  symptoms: ["x"], affected: ["cart"], evidence: [], fingerprint: "default/cart",
};

describe("the loop's transaction health probe", () => {
  let f: TnrFixture;
  before(async () => { f = await startTnrFixture(); });
  after(async () => { await f.close(); });

  it("measures the plan's namespaces as well as the watched ones, and scopes alerts to the incident", async () => {
    await f.client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "other" } }).catch(() => undefined);
    await f.client.create({
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "victim", namespace: "other", labels: { app: "victim" } },
      spec: { replicas: 1, selector: { matchLabels: { app: "victim" } }, template: { metadata: { labels: { app: "victim" } }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } } },
    });
    const alerts = new AlertStore(() => f.clock.now());
    const labels = (namespace: string, service: string) => ({ alertname: `A-${namespace}-${service}`, namespace, service });
    alerts.ingest({ status: "firing", alerts: [labels("default", "cart"), labels("default", "payments"), labels("elsewhere", "cart")].map((l) => ({ status: "firing" as const, labels: l, annotations: {} })) });
    const checkpointer = openCheckpointer(join(dirname(f.ledgerPath), "probe-scope.db"));
    try {
      const loop = new IncidentLoop({
        agents: stubAgents([]), ledger: f.ledger, clock: f.clock, checkpointer, reader: f.client, writer: f.client,
        lock: new WriterLock({ client: f.client, clock: f.clock, identity: "probe-test" }), policy: DEFAULT_POLICY,
        namespaces: () => ["default"], health: { samples: 1, intervalMs: 1_000 },
        alerts: (scope) => alerts.firing(scope), alertsReceived: (since, scope) => alerts.receivedSince(since, scope),
      });
      const deps = (loop as unknown as { graphDeps(): GraphDeps }).graphDeps();
      const target = { apiVersion: "apps/v1", kind: "Deployment", namespace: "other", name: "victim" };
      const probe = deps.health(incident, new Map(), [target]);
      const report = await probe.measure("baseline");
      assert.ok(report.results.some((r) => r.entity.startsWith("other/")), `the plan's namespace is measured: ${report.results.map((r) => r.entity).join(", ")}`);
      const alerting = report.failing.filter((k) => k.startsWith("firing-alerts:"));
      assert.deepEqual(alerting, ["firing-alerts:A-default-cart{namespace=default,service=cart}"], "only the incident's own service's alert counts");
      assert.equal(probe.alertsReceived!(0), 1);
      const watchedOnly = await deps.health(incident, new Map()).measure("baseline");
      assert.ok(!watchedOnly.results.some((r) => r.entity.startsWith("other/")), "without targets, only the watched namespaces");
    } finally {
      closeCheckpointer(checkpointer);
    }
  });
});

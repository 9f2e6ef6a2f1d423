/** firing-alerts: alerts from the source and pushed in, scope, and the no-source case. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { firingAlerts } from "../../../src/telemetry/checks/firing-alerts.ts";
import type { Alert, MetricSource } from "../../../src/telemetry/metric-source.ts";
import { runCheck } from "../fake-cluster.ts";

const alert = (name: string, labels: Record<string, string>, source = "prometheus", state: Alert["state"] = "firing"): Alert => ({ name, state, labels: { alertname: name, ...labels }, annotations: { summary: `${name} summary` }, source });
const source = (alerts: Alert[]): MetricSource => ({ name: "stub", serviceStats: async () => new Map(), callEdges: async () => [], firingAlerts: async () => alerts });

describe("firing-alerts", () => {
  it("fails each firing alert in scope, from the source and pushed in, merging duplicates", async () => {
    const metrics = source([alert("HighErrorRate", { namespace: "hr", service: "geo" }), alert("Elsewhere", { namespace: "billing" })]);
    const pushed = [alert("HighErrorRate", { namespace: "hr", service: "geo" }, "intake"), alert("NodeDown", { instance: "node-2" }, "intake"), alert("Soon", {}, "intake", "pending")];
    const results = await runCheck(firingAlerts, [], { metrics, alerts: pushed });
    assert.deepEqual(results.map((r) => [r.entity, r.status, r.value]), [
      ["HighErrorRate{namespace=hr,service=geo}", "fail", 2],
      ["NodeDown{instance=node-2}", "fail", 1],
    ]);
    assert.match(results[0].evidence[0], /alert HighErrorRate firing \(from intake, prometheus\): HighErrorRate summary/);
    assert.equal(firingAlerts.resolvesByAbsence, true);
  });

  it("passes when nothing fires and is skipped with no alert source", async () => {
    assert.deepEqual((await runCheck(firingAlerts, [], { metrics: source([]) })).map((r) => [r.entity, r.status]), [["*", "pass"]]);
    assert.deepEqual((await runCheck(firingAlerts, [])).map((r) => [r.entity, r.status]), [["*", "skipped"]]);
  });
});

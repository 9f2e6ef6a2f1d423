/**
 * Chaos Mesh objects as the workload reads them: which pods a selector and mode pick, when an
 * experiment is in effect (duration, pause), and the effect of each action and stressor.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KObject } from "../../../sandbox/api/types.ts";
import { chaosActive, chaosEffects, parseGoDuration, selectedPods, type ChaosPod } from "../../../sandbox/workload/chaos.ts";

const NS = "social-network";
const pods: ChaosPod[] = ["b", "a", "c"].map((x) => ({ uid: `u-${x}`, name: `text-service-${x}`, namespace: NS, labels: { app: "text-service" } }))
  .concat([{ uid: "u-other", name: "media-service-1", namespace: NS, labels: { app: "media-service" } }]);
const chaos = (kind: string, spec: Record<string, unknown>, meta: Record<string, unknown> = {}): KObject => ({
  apiVersion: "chaos-mesh.org/v1alpha1", kind, metadata: { name: "x", namespace: NS, creationTimestamp: "2026-01-01T00:00:00Z", ...meta },
  spec: { mode: "all", selector: { namespaces: [NS], labelSelectors: { app: "text-service" } }, ...spec },
});
const T0 = Date.parse("2026-01-01T00:00:00Z");

describe("chaos objects", () => {
  it("selectors and modes pick pods deterministically", () => {
    const names = (o: KObject) => selectedPods(o, pods).map((p) => p.name);
    assert.deepEqual(names(chaos("NetworkChaos", {})), ["text-service-a", "text-service-b", "text-service-c"]);
    assert.deepEqual(names(chaos("NetworkChaos", { mode: "one" })), ["text-service-a"]);
    assert.deepEqual(names(chaos("NetworkChaos", { mode: "fixed", value: "2" })), ["text-service-a", "text-service-b"]);
    assert.deepEqual(names(chaos("NetworkChaos", { mode: "fixed-percent", value: "50" })), ["text-service-a", "text-service-b"]);
    assert.deepEqual(names(chaos("NetworkChaos", { selector: { namespaces: ["elsewhere"], labelSelectors: { app: "text-service" } } })), []);
  });

  it("is in effect until its duration passes, and not while paused", () => {
    const timed = chaos("NetworkChaos", { duration: "10m" });
    assert.equal(chaosActive(timed, T0 + 9 * 60_000), true);
    assert.equal(chaosActive(timed, T0 + 10 * 60_000), false);
    assert.equal(chaosActive(chaos("NetworkChaos", {}), T0 + 86_400_000), true);
    assert.equal(chaosActive(chaos("NetworkChaos", {}, { annotations: { "experiment.chaos-mesh.org/pause": "true" } }), T0), false);
    assert.equal(parseGoDuration("1h30m"), 5_400_000);
    assert.equal(parseGoDuration("200ms"), 200);
    assert.equal(parseGoDuration("soon"), undefined);
  });

  it("delay, loss, partition and CPU stress become per-pod effects", () => {
    const fx = chaosEffects([
      chaos("NetworkChaos", { action: "delay", delay: { latency: "200ms", jitter: "10ms" } }),
      chaos("NetworkChaos", { action: "loss", loss: { loss: "30" } }),
      chaos("StressChaos", { stressors: { cpu: { workers: 4, load: 50 } } }),
    ], pods, T0);
    const a = fx.get("u-a")!;
    assert.deepEqual({ ...a, loss: Number(a.loss.toFixed(6)) }, { delayMs: 200, jitterMs: 10, loss: 0.3, cpuCores: 2, memoryBytes: 0 });
    assert.equal(fx.get("u-other"), undefined);
    const cut = chaosEffects([chaos("NetworkChaos", { action: "partition" })], pods, T0);
    assert.equal(cut.get("u-b")?.loss, 1);
  });
});

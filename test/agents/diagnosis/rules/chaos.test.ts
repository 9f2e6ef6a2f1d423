/** chaos on hand-built observations: NetworkChaos and StressChaos acting on a Deployment's pods. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deployment, diagnose, NS, observation, pod, replicaSet, running, stats } from "../../fixtures.ts";

const chaos = (kind: string, spec: object) => ({ apiVersion: "chaos-mesh.org/v1alpha1", kind, metadata: { name: `search-${kind.toLowerCase()}`, namespace: NS }, spec: { mode: "all", selector: { namespaces: [NS], labelSelectors: { app: "search" } }, ...spec } });

describe("rule chaos", () => {
  for (const [kind, spec, layer, type] of [
    ["NetworkChaos", { action: "delay", delay: { latency: "200ms" } }, "network", "operation-error"],
    ["StressChaos", { stressors: { cpu: { workers: 4, load: 100 } } }, "virtualization", "resource"],
  ] as const) {
    it(`blames the Deployment a ${kind} acts on and proposes deleting it`, () => {
      const d = deployment("search");
      const rs = replicaSet(d, 1);
      const obs = observation({ objects: [d, rs, pod(rs, "a", running("search")), chaos(kind, spec)], stats: { hr: { frontend: stats(0, 1.2), search: stats(0, 1.1) } } });
      const h = diagnose(obs, ["frontend", "search"]).hypotheses[0];
      assert.deepEqual([h.rootCause.kind, h.rootCause.name, h.layer, h.type], ["Deployment", "search", layer, type]);
      assert.deepEqual([h.facts.chaosKind, h.facts.remedies], [kind, "delete-chaos"]);
    });
  }
});

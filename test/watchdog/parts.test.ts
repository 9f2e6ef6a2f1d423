/**
 * The watchdog's small parts, without a cluster: the story's lines, the incident book (duplicates,
 * escalations kept from reopening, "everything fixed"), the replica baseline from before an
 * incident's onset, selectors on cached objects, and the sped-up clock.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Incident } from "../../src/incident/types.ts";
import type { KubeObject } from "../../src/kube/types.ts";
import { IncidentBook, ReplicaHistory, ScaledClock, storyLine } from "../../src/watchdog/index.ts";
import { fieldMatcher, labelMatcher } from "../../src/kube/selectors.ts";

const incident = (id: string, symptoms: string[], fingerprint = `ns|${symptoms.join(",")}`): Incident => ({
  id, namespace: "ns", openedAt: "2026-01-01T00:01:00Z", onsetAt: "2026-01-01T00:00:00Z", severity: "critical", symptoms, affected: [], evidence: [], fingerprint,
});

describe("watchdog parts", () => {
  it("tells each step as one line of a story", () => {
    const inc = incident("INC-1", ["a:ns/x: broken", "b:ns/y: slow", "c:ns/z: down", "d:ns/w: gone"]);
    assert.equal(storyLine({ type: "detected", incident: inc }), "detected INC-1 in ns: a:ns/x: broken; b:ns/y: slow; c:ns/z: down (+1 more)");
    const best = { rootCause: { kind: "Service", namespace: "ns", name: "rate" }, layer: "virtualization" as const, type: "misconfiguration" as const, summary: "targetPort 9999", confidence: 0.92, evidence: [], facts: {} };
    assert.equal(storyLine({ type: "diagnosed", incidentId: "INC-1", diagnosis: { incidentId: "INC-1", hypotheses: [best], path: [], reasoner: "embedded" }, best }), "diagnosed: Service rate: targetPort 9999 (misconfiguration, 0.92)");
    assert.equal(storyLine({ type: "plan", incidentId: "INC-1", attempt: 2, lines: ["update-service: x".padEnd(300, "x")], hypothesis: "h", digest: "d" })!.length < 200, true, "long plan lines are cut");
    assert.equal(storyLine({ type: "transaction", incidentId: "INC-1", result: { txId: "t", outcome: "rolled-back", reason: "health did not improve", steps: [], restored: [] } }), "rolled back: health did not improve");
    assert.equal(storyLine({ type: "transaction", incidentId: "INC-1", result: { txId: "t", outcome: "committed", reason: "", steps: [], restored: [] } }), "committed");
  });

  it("folds duplicates into the open incident and keeps an escalated one from reopening for a while", () => {
    const book = new IncidentBook();
    const first = book.add(incident("INC-1", ["lat:ns/frontend: 2s", "lat:ns/rec: 1s"]), "running", 0);
    assert.equal(book.duplicateOf(incident("INC-2", ["lat:ns/frontend: 2s", "lat:ns/rec: 1s"]))?.incident.id, "INC-1");
    book.update("INC-1", "escalated", "nothing left to try");
    assert.equal(book.open().length, 0);
    assert.equal(book.allFixed(), false);
    book.suppress(first, 1_000);
    assert.equal(book.suppressedBy(incident("INC-3", ["lat:ns/rec: 3s"], "other"), 500)?.incident.id, "INC-1", "same symptoms, other values");
    assert.equal(book.suppressedBy(incident("INC-4", ["lat:ns/rec: 3s", "crash:ns/geo: OOMKilled"], "other"), 500), undefined, "a new symptom is a new problem");
    assert.equal(book.suppressedBy(incident("INC-5", ["lat:ns/rec: 3s"], "other"), 1_000), undefined, "suppression ends");
    const fixed = new IncidentBook();
    assert.equal(fixed.allFixed(), true, "nothing found counts as fixed");
    fixed.add(incident("INC-9", ["x:ns/a: y"]), "running", 0);
    fixed.update("INC-9", "resolved", "");
    assert.equal(fixed.allFixed(), true);
  });

  it("takes the replica baseline from before the onset, not after a fault scaled it down", () => {
    const h = new ReplicaHistory();
    const d = (replicas: number): KubeObject => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "rate", namespace: "ns" }, spec: { replicas } });
    h.observe(d(2), 100);
    h.observe(d(0), 500);
    assert.deepEqual([...h.before(400, ["ns"])], [["ns/rate", 2]]);
    assert.deepEqual([...h.before(600, ["ns"])], [["ns/rate", 0]]);
    // The onset (first failing look) comes after the scale-down: the window before it still sees 2.
    assert.deepEqual([...h.highestBetween(600 - 200, 600, ["ns"])], [["ns/rate", 2]]);
    assert.deepEqual([...h.highestBetween(900, 1000, ["ns"])], [["ns/rate", 0]], "long after, 0 is the count");
    assert.deepEqual([...h.before(50, ["ns"])], [["ns/rate", 2]], "before anything was seen: the earliest count");
    assert.deepEqual([...h.before(400, ["other"])], []);
  });

  it("evaluates label and field selectors like the server, and declines what it cannot parse", () => {
    const o: KubeObject = { apiVersion: "v1", kind: "Event", metadata: { name: "e", namespace: "ns", labels: { app: "geo", tier: "be" } }, involvedObject: { name: "geo-1" }, reason: "BackOff" };
    assert.equal(labelMatcher("app=geo,tier in (be,fe),!canary")!(o), true);
    assert.equal(labelMatcher("app notin (geo)")!(o), false);
    assert.equal(labelMatcher("app!=rate")!(o), true);
    assert.equal(fieldMatcher("involvedObject.name=geo-1,reason==BackOff")!(o), true);
    assert.equal(fieldMatcher("reason!=BackOff")!(o), false);
    assert.equal(labelMatcher("app=geo,,(weird"), undefined);
  });

  it("runs a sped-up clock from an anchor", async () => {
    const c = new ScaledClock(100, 1_000_000, Date.now());
    const t0 = c.now();
    await c.sleep(1_000);
    assert.ok(c.now() - t0 >= 900, "a second of clock time passed in ~10 ms");
    assert.ok(t0 - 1_000_000 < 1_000);
  });
});

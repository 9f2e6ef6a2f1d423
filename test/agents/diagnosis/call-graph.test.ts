/** The walk over the call graph the metrics show: from the symptom to the deepest failing dependency. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { walkCallGraph } from "../../../agents/diagnosis/call-graph.ts";
import { edge, stats } from "../fixtures.ts";

describe("call graph walk", () => {
  it("follows failing edges to the service whose own calls succeed", () => {
    const edges = [edge("frontend", "search", 0.6), edge("search", "geo", 1), edge("search", "rate", 0), edge("geo", "mongodb-geo", 1), edge("frontend", "profile", 0)];
    const w = walkCallGraph(edges, { frontend: stats(0.6), search: stats(1), geo: stats(1), rate: stats(0), profile: stats(0) }, ["frontend"]);
    assert.deepEqual(w.path, ["frontend", "search", "geo", "mongodb-geo"]);
    assert.deepEqual(w.suspects, ["mongodb-geo"]);
    assert.ok(!w.involved.has("rate") && !w.involved.has("profile"));
  });

  it("names a service failing by itself, and where latency is added rather than passed on", () => {
    const edges = [edge("frontend", "search", 0), edge("search", "geo", 0)];
    const w = walkCallGraph(edges, { frontend: stats(0, 0.9), search: stats(0, 0.85), geo: stats(0.5, 0.02) }, ["frontend"]);
    assert.deepEqual(w.selfFailing, ["geo"]);
    assert.deepEqual(w.slowest, ["search"]);
  });

  it("survives a cycle", () => {
    const w = walkCallGraph([edge("a", "b", 1), edge("b", "a", 1)], { a: stats(1), b: stats(1) }, ["a"]);
    assert.ok(w.path.length <= 2);
  });
});

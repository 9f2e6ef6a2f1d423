/**
 * Plans: parsing (shape and every action, each problem at its path), compilation into stages
 * (after-ordering, conflicts pushed apart, stage hints honoured, and refusals for cycles, unknown
 * or duplicate ids, conflicting steps hinted into one stage, more than K actions), the union of
 * targets, and a server-side dry run of a whole plan against the sandbox that writes nothing.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { isValidationError, type ValidationError } from "../../src/base/errors.ts";
import { compilePlan, dryRunPlan, parsePlan, planTargets, type ActionStep, type Plan } from "../../src/core/plan.ts";
import { KubeClient } from "../../src/kube/kube-client.ts";
import { VirtualClock } from "../../sandbox/index.ts";
import { startTestCluster, type TestCluster } from "../helpers/sandbox.ts";
import { deployment, deploymentRef, namespace, NS } from "./actions/fixtures.ts";

const scale = (name: string, replicas = 1) => ({ type: "scale", params: { namespace: NS, name, replicas } });
const restart = (name: string) => ({ type: "rollout-restart", params: { namespace: NS, name } });
const stageIds = (plan: unknown, maxActions?: number) => compilePlan(parsePlan(plan), { maxActions }).stages.map((s) => s.map((x) => x.id));

function refusal(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (isValidationError(e)) return e;
    throw e;
  }
  return assert.fail("expected a ValidationError");
}

describe("parsePlan", () => {
  it("parses actions and waits, filling in defaults", () => {
    const plan = parsePlan({
      id: "fix-geo",
      steps: [
        { id: "undo", action: { type: "rollout-undo", params: { namespace: NS, name: "geo" } } },
        { id: "ready", after: ["undo"], wait: { until: { deploymentAvailable: { namespace: NS, name: "geo" } } } },
      ],
    });
    assert.equal(plan.id, "fix-geo");
    assert.deepEqual(plan.steps[1], { id: "ready", after: ["undo"], wait: { until: { deploymentAvailable: { namespace: NS, name: "geo" } }, timeoutMs: 60_000 } });
  });

  it("names every bad field at its path: unknown action type, bad params, unknown fields", () => {
    const e = refusal(() =>
      parsePlan({
        steps: [
          { id: "a", action: { type: "scale", params: { namespace: NS, name: "geo", replicas: 1, replica: 2 } } },
          { id: "b", action: { type: "nuke", params: {} } },
          { id: "c", action: scale("geo"), afterr: ["a"] },
        ],
      }),
    );
    const paths = e.issues.map((i) => i.path);
    assert.ok(paths.includes("steps[2].afterr"), JSON.stringify(paths));
    const again = refusal(() => parsePlan({ steps: [{ id: "a", action: { type: "scale", params: { namespace: NS, name: "geo", replicas: 1, replica: 2 } } }, { id: "b", action: { type: "nuke", params: {} } }] }));
    assert.deepEqual(again.issues.map((i) => i.path), ["steps[0].action.params.replica", "steps[1].action.type"]);
    assert.match(again.message, /unknown action type "nuke"; known types: scale/);
  });

  it("refuses a step with neither an action nor a wait, an unknown wait condition, an empty plan", () => {
    assert.equal(refusal(() => parsePlan({ steps: [{ id: "x" }] })).issues[0].path, "steps[0]");
    const wait = refusal(() => parsePlan({ steps: [{ id: "w", wait: { until: { podsHappy: { namespace: NS } }, timeoutMs: 1000 } }] }));
    assert.equal(wait.issues[0].path, "steps[0].wait.until.podsHappy");
    assert.match(refusal(() => parsePlan({ steps: [] })).message, /at least one step/);
    assert.equal(refusal(() => parsePlan({ steps: [{ id: "w", wait: { until: { endpointsReady: { namespace: NS, name: "geo" } }, timeoutMs: 0 } }] })).issues[0].path, "steps[0].wait.timeoutMs");
  });
});

describe("compilePlan", () => {
  it("layers steps after their dependencies, independent steps together", () => {
    assert.deepEqual(
      stageIds({ steps: [{ id: "a", action: scale("a") }, { id: "b", action: scale("b"), after: ["a"] }, { id: "c", action: scale("c") }, { id: "w", after: ["b"], wait: { until: { deploymentAvailable: { namespace: NS, name: "b" } } } }] }),
      [["a", "c"], ["b"], ["w"]],
    );
  });

  it("puts conflicting steps (either direction) in different stages, the later one later", () => {
    assert.deepEqual(stageIds({ steps: [{ id: "a", action: scale("a") }, { id: "b", action: scale("b"), conflictsWith: ["a"] }, { id: "c", action: scale("c") }] }), [["a", "c"], ["b"]]);
    assert.deepEqual(stageIds({ steps: [{ id: "a", action: scale("a"), conflictsWith: ["b"] }, { id: "b", action: scale("b") }] }), [["a"], ["b"]]);
  });

  it("treats two actions writing the same object as conflicting", () => {
    assert.deepEqual(stageIds({ steps: [{ id: "scale", action: scale("geo", 2) }, { id: "restart", action: restart("geo") }] }), [["scale"], ["restart"]]);
  });

  it("moves a step's dependents along when a conflict pushes it down", () => {
    const ids = stageIds({ steps: [{ id: "a", action: scale("a") }, { id: "b", action: scale("b"), conflictsWith: ["a"] }, { id: "c", action: scale("c"), after: ["b"] }] });
    assert.deepEqual(ids, [["a"], ["b"], ["c"]]);
  });

  it("honours stage hints: same hint runs together, lower hints first", () => {
    const ids = stageIds({ steps: [{ id: "x", action: scale("x"), stage: 2 }, { id: "y", action: scale("y"), stage: 1 }, { id: "z", action: scale("z"), stage: 2 }, { id: "free", action: scale("free") }] });
    assert.deepEqual(ids, [["y", "free"], ["x", "z"]]);
  });

  it("refuses conflicting steps explicitly placed in one stage", () => {
    const e = refusal(() => stageIds({ steps: [{ id: "a", action: scale("geo", 2), stage: 1 }, { id: "b", action: restart("geo"), stage: 1 }] }));
    assert.equal(e.issues[0].path, "steps[1].stage");
    assert.match(e.message, /"a" and "b" both write Deployment shop\/geo, but both are placed in stage 1/);
    const named = refusal(() => stageIds({ steps: [{ id: "a", action: scale("a"), conflictsWith: ["b"], stage: 0 }, { id: "b", action: scale("b"), stage: 0 }] }));
    assert.match(named.message, /"a" and "b" conflict, but both are placed in stage 0/);
  });

  it("refuses a hint that contradicts after", () => {
    const e = refusal(() => stageIds({ steps: [{ id: "a", action: scale("a"), stage: 1, after: ["b"] }, { id: "b", action: scale("b"), stage: 2 }] }));
    assert.match(e.message, /"a" \(stage 1\) runs after "b" \(stage 2\)/);
  });

  it("refuses cycles, naming them", () => {
    const e = refusal(() => stageIds({ steps: [{ id: "a", action: scale("a"), after: ["b"] }, { id: "b", action: scale("b"), after: ["c"] }, { id: "c", action: scale("c"), after: ["a"] }] }));
    assert.match(e.message, /cycle in after: a → b → c → a/);
  });

  it("refuses unknown and self references and duplicate ids, each at its path", () => {
    const e = refusal(() => stageIds({ steps: [{ id: "a", action: scale("a"), after: ["nope"], conflictsWith: ["a"] }, { id: "a", action: scale("b") }] }));
    assert.deepEqual(e.issues.map((i) => i.path).sort(), ["steps[0].after[0]", "steps[0].conflictsWith[0]", "steps[1].id"]);
    assert.match(e.message, /unknown step "nope"; the plan's steps are: a/);
    assert.match(e.message, /duplicate step id "a"/);
  });

  it("refuses more than K actions (waits do not count)", () => {
    const steps = Array.from({ length: 11 }, (_, i) => ({ id: `s${i}`, action: scale(`d${i}`) }));
    const e = refusal(() => stageIds({ steps }));
    assert.match(e.message, /the plan has 11 actions; at most 10 are allowed/);
    assert.equal(stageIds({ steps: steps.slice(0, 3) }, 3).length, 1);
    const withWait = [...steps.slice(0, 2), { id: "w", wait: { until: { objectAbsent: { apiVersion: "v1", kind: "Pod", namespace: NS, name: "p" } } } }];
    assert.equal(stageIds({ steps: withWait }, 2).flat().length, 3);
  });

  it("re-validates actions in a plan built by hand, without changing the caller's plan", () => {
    const plan = { steps: [{ id: "a", action: { type: "scale", params: { namespace: NS, name: "a", replicas: 1 } } }] } as Plan;
    const compiled = compilePlan(plan);
    assert.equal((compiled.stages[0][0] as ActionStep).action.params.kind, "Deployment");
    assert.equal((plan.steps[0] as ActionStep).action.params.kind, undefined);
    const bad = { steps: [{ id: "a", action: { type: "scale", params: { namespace: NS, name: "a", replicas: -1 } } }] } as Plan;
    assert.equal(refusal(() => compilePlan(bad)).issues[0].path, "steps[0].action.params.replicas");
  });
});

describe("planTargets", () => {
  it("is the union of the actions' targets, each once", () => {
    const plan = parsePlan({ steps: [{ id: "a", action: scale("geo") }, { id: "b", action: restart("geo") }, { id: "c", action: { type: "delete-pod", params: { namespace: NS, name: "geo-1" } } }] });
    assert.deepEqual(planTargets(plan), [deploymentRef("geo"), { apiVersion: "v1", kind: "Pod", namespace: NS, name: "geo-1" }]);
  });
});

describe("dryRunPlan against the sandbox", () => {
  let cluster: TestCluster;
  let client: KubeClient;

  before(async () => {
    cluster = await startTestCluster({ clock: new VirtualClock() });
    client = new KubeClient(cluster.kc);
    await client.create(namespace());
    await client.create(deployment("geo"));
    await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: NS }, data: { a: "1" } });
  });
  after(() => cluster.close());

  it("shows what each action would change, as a diff, and writes nothing", async () => {
    const plan = parsePlan({
      steps: [
        { id: "scale", action: scale("geo", 3) },
        { id: "image", after: ["scale"], action: { type: "set-image", params: { namespace: NS, name: "geo", container: "app", image: "nginx:1.27" } } },
        { id: "cfg", action: { type: "delete-object", params: { apiVersion: "v1", kind: "ConfigMap", namespace: NS, name: "cfg" } } },
        { id: "wait", after: ["image"], wait: { until: { deploymentAvailable: { namespace: NS, name: "geo" } }, timeoutMs: 1000 } },
      ],
    });
    const before = await client.read(deploymentRef("geo"));
    const preview = await dryRunPlan(plan, client);
    assert.deepEqual(preview.map((p) => p.stepId), ["scale", "cfg", "image"], "in stage order; waits have nothing to preview");
    assert.equal(preview[0].diffs[0].diff, "spec.replicas: 1 → 3");
    assert.equal(preview[2].diffs[0].diff, 'spec.template.spec.containers[app].image: "nginx:1.25" → "nginx:1.27"');
    assert.equal(preview[1].diffs[0].diff, "(object deleted)");
    assert.equal(preview[1].diffs[0].after, undefined);
    const after = await client.read(deploymentRef("geo"));
    assert.deepEqual(after, before, "the dry run wrote nothing");
    assert.ok(await client.read({ apiVersion: "v1", kind: "ConfigMap", namespace: NS, name: "cfg" }));
  });

  it("reports an action whose dry run fails, and still previews the rest", async () => {
    const plan = parsePlan({ steps: [{ id: "ghost", action: scale("ghost", 2) }, { id: "ok", action: scale("geo", 2) }] });
    const preview = await dryRunPlan(plan, client);
    assert.match(preview[0].error ?? "", /Deployment shop\/ghost not found/);
    assert.equal(preview[1].error, undefined);
    assert.equal(preview[1].diffs[0].diff, "spec.replicas: 1 → 2");
  });
});

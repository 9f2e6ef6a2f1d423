/**
 * From diagnosis to Plan without a cluster: templates, conditions, matching and ranking, binding
 * from facts (and why a playbook does not apply), compiling decisions and parallel groups into
 * stages with the core's step policies, refusing a binding the action rejects, the policy's
 * verdict, and the core plan's new step fields (deadline references, compensations, back-off).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compilePlan, parsePlan } from "../../src/core/plan.ts";
import { DEFAULT_POLICY, parsePolicy } from "../../src/core/policy.ts";
import { backoffDelay, classifyError } from "../../src/core/transaction-apply.ts";
import { KubeApiError } from "../../src/base/errors.ts";
import { evaluate } from "../../src/playbooks/conditions.ts";
import { render } from "../../src/playbooks/template.ts";
import {
  bindParams, compilePlaybook, explainMatch, inputFrom, isNotApplicable, isPlaybookError, matchPlaybooks, parsePlaybook, type PlaybookInput,
} from "../../src/playbooks/index.ts";
import { byName, diagnosis, library } from "./helpers.ts";

const scope = (facts: Record<string, unknown>, params: Record<string, unknown> = {}) => ({ facts, target: {}, incident: {}, diagnosis: {}, params });

describe("templates and conditions", () => {
  it("keeps a whole-string template's type, interpolates inside text, and drops an unbound optional field", () => {
    const params = { replicas: 3, name: "geo", ports: [{ port: 80 }], missing: undefined };
    assert.deepEqual(render({ n: "${{ params.replicas }}", s: "${{ params.name }}-users", p: "${{ params.ports }}", m: "${{ params.missing }}" }, params), { n: 3, s: "geo-users", p: [{ port: 80 }] });
    assert.equal(render("${{ params.claim.name }}", { claim: { name: "data" } }), "data");
    assert.throws(() => render("x-${{ params.missing }}", params), /has no value, and it is inside the text "x-\$\{\{ params.missing \}\}"/);
    assert.throws(() => render("${{ facts.x }}", params), /is not a param reference/);
  });

  it("treats facts loosely typed: \"true\" is true, \"3\" is 3", () => {
    assert.equal(evaluate([{ ref: "facts.oomKilled", equals: true }], scope({ oomKilled: "true" })), true);
    assert.equal(evaluate([{ ref: "facts.restarts", gte: 3 }], scope({ restarts: "3" })), true);
    assert.equal(evaluate([{ ref: "facts.missing", exists: false }], scope({})), true);
    assert.equal(evaluate([{ any: [{ ref: "facts.a", equals: 1 }, { not: { ref: "params.b", exists: true } }] }], scope({ a: 2 })), true);
    assert.equal(evaluate([{ ref: "facts.layer", in: ["network", "storage"] }], scope({ layer: "application" })), false);
  });
});

describe("matching a diagnosis to the library", () => {
  const lib = library();
  const names = (input: PlaybookInput) => matchPlaybooks(lib, input).map((p) => p.name);

  it("ranks the playbooks that match by priority", () => {
    assert.deepEqual(names(diagnosis("hr", "Service", "rate", "misconfiguration", "virtualization")), ["restore-service-port", "restore-service-selector"]);
    assert.deepEqual(names(diagnosis("hr", "Service", "rate", "misconfiguration", "network")), ["remove-blocking-network-policy", "restore-service-port", "restore-service-selector"]);
    assert.deepEqual(names(diagnosis("hr", "ConfigMap", "geo-config", "misconfiguration", "application")), ["restore-config-value"]);
    assert.deepEqual(names(diagnosis("hr", "NetworkChaos", "delay", "dependency", "network")), ["remove-chaos-experiment"]);
    assert.equal(names(diagnosis("hr", "Deployment", "geo", "code-defect", "application", { rolloutPrecededOnset: true }))[0], "rollout-undo");
    assert.ok(!names(diagnosis("hr", "Deployment", "geo", "code-defect", "application")).includes("rollout-undo"), "no rollout before the onset: no rollout-undo");
  });

  it("reads the diagnosis agent's facts: remedies ranked best first, lists as text, labels as JSON", async () => {
    const release = diagnosis("hr", "Deployment", "geo", "misconfiguration", "virtualization", { finding: "image-unpullable", remedies: "rollout-undo,set-image", previousRevision: 3 });
    assert.equal(names(release)[0], "rollout-undo");
    assert.ok(!names({ ...release, facts: { remedies: "set-image" } }).includes("rollout-undo"), "no rollout-undo when the diagnosis does not list it");
    const pinned = await bindParams(byName("remove-node-selector"), diagnosis("hr", "Deployment", "geo", "misconfiguration", "virtualization", { badNodeSelectorKeys: "disktype,zone" }));
    assert.deepEqual(pinned.params.keys, ["disktype", "zone"]);
    const selector = await bindParams(byName("restore-service-selector"), diagnosis("hr", "Service", "geo", "misconfiguration", "virtualization", { deployment: "geo", selector: "{\"app\":\"geo\"}" }));
    assert.deepEqual(selector.params.selector, { app: "geo" });
    assert.equal(selector.sources.selector, "facts.selector");
  });

  it("explains a miss criterion by criterion", () => {
    const e = explainMatch(byName("scale-out-cpu"), diagnosis("hr", "Deployment", "geo", "misconfiguration", "application"));
    assert.equal(e.matched, false);
    assert.deepEqual(e.reasons, ["root cause is a Deployment", "fault type misconfiguration is not resource", "evidence does not show facts.cpuSaturated equals true"]);
  });

  it("reads a Diagnosis document (hypotheses, incident) as a playbook input", () => {
    const input = inputFrom({ incidentId: "inc-7", hypotheses: [{ rootCause: { kind: "Deployment", namespace: "hr", name: "geo" }, layer: "application", type: "code-defect", summary: "bad release", confidence: 0.8, evidence: [], facts: { rolloutPrecededOnset: true } }], reasoner: "embedded" });
    assert.equal(input.incident?.id, "inc-7");
    assert.equal(input.facts?.rolloutPrecededOnset, true);
  });
});

describe("binding and compiling", () => {
  const undo = byName("rollout-undo");
  const input = diagnosis("hr", "Deployment", "geo", "code-defect", "application", { rolloutPrecededOnset: true, previousRevision: "2" });

  it("binds params from the diagnosis, converting facts to the param's type", async () => {
    const b = await bindParams(undo, input);
    assert.deepEqual(b.params, { namespace: "hr", deployment: "geo", revision: 2 });
    assert.deepEqual(b.sources, { namespace: "target.namespace", deployment: "target.name", revision: "facts.previousRevision" });
  });

  it("says why a playbook does not apply when a param binds from nothing", async () => {
    await assert.rejects(bindParams(undo, diagnosis("hr", "Deployment", "geo", "code-defect", "application", { previousRevision: "latest" })), (e: unknown) => {
      assert.ok(isNotApplicable(e));
      assert.match(e.message, /param revision \(integer\) could not be bound: facts.previousRevision: "latest" is not an integer; previousRevision: no cluster to ask/);
      return true;
    });
  });

  it("compiles to the core's plan: template values, retry, postcondition, origin with the digest", async () => {
    const c = compilePlaybook(undo, await bindParams(undo, input), input, { policy: DEFAULT_POLICY });
    assert.equal(c.plan.id, "rollout-undo@1.0.0");
    const step = c.plan.steps[0] as Record<string, any>;
    assert.deepEqual(step.action, { type: "rollout-undo", params: { namespace: "hr", name: "geo", toRevision: 2 } });
    assert.deepEqual(step.retry, { maxAttempts: 3, backoff: { kind: "exponential", baseMs: 1000, capMs: 8000 }, retryOn: ["conflict", "server-error", "unreachable"], fatalOn: [] });
    assert.deepEqual(step.postcondition, { until: { deploymentAvailable: { namespace: "hr", name: "geo" } }, timeoutMs: 180_000 });
    assert.equal(c.origin.digest, undo.source.digest);
    assert.equal(c.origin.version, "1.0.0");
    assert.equal(c.policy?.allowed, true);
  });

  it("takes a decision at compile time: the plan holds only the branch that runs", () => {
    const pb = byName("restore-config-value");
    const change = { name: "geo-config", key: "config.json", value: "{}" };
    const diag = diagnosis("hr", "ConfigMap", "geo-config", "misconfiguration", "application");
    const withReader = compilePlaybook(pb, { params: { namespace: "hr", change, reader: "geo" }, sources: {}, sensitive: [] }, diag);
    assert.deepEqual(withReader.stages.map((s) => s.map((x) => x.id)), [["restore"], ["restart"], ["available"]]);
    assert.deepEqual((withReader.plan.steps[1] as Record<string, unknown>).compensate, []);
    const without = compilePlaybook(pb, { params: { namespace: "hr", change }, sources: {}, sensitive: [] }, diag);
    assert.deepEqual(without.stages.map((s) => s.map((x) => x.id)), [["restore"]]);
    assert.deepEqual(without.decisions, [{ id: "reload", when: "params.reader exists true", took: "else" }]);
  });

  it("refuses a bound value the action rejects, naming the playbook's field", () => {
    assert.throws(() => compilePlaybook(undo, { params: { namespace: "hr", deployment: "geo", revision: 0 }, sources: {}, sensitive: [] }, input), (e: unknown) => {
      assert.ok(isPlaybookError(e));
      assert.deepEqual(e.playbookIssues.map((i) => i.path), ["steps[0].with.toRevision"]);
      return true;
    });
  });

  it("returns the policy's verdict, and a policy that denies an action refuses the playbook at load", () => {
    const strict = parsePolicy("deniedActions: [rollout-undo]\n", "strict.yaml");
    const c = compilePlaybook(undo, { params: { namespace: "hr", deployment: "geo", revision: 2 }, sources: {}, sensitive: [] }, input, { policy: strict });
    assert.equal(c.policy?.allowed, false);
    assert.match(c.policy!.refusals[0].reason, /rollout-undo is denied by the policy/);
    const text = readFileSync(undo.source.file, "utf8");
    assert.throws(() => parsePlaybook(text, undo.source.file, { policy: strict }), /rollout-undo\.yaml:\d+: steps\[0\]\.action: the policy refuses this action: rollout-undo is denied by the policy/);
  });
});

describe("the core plan's step policies", () => {
  const step = (id: string, extra: Record<string, unknown> = {}) => ({ id, action: { type: "scale", params: { namespace: "d", name: id, replicas: 1 } }, ...extra });

  it("accepts a deadline measured from a step it runs after, and refuses one that is not", () => {
    const ok = parsePlan({ steps: [step("a"), step("b", { after: ["a"], deadline: { after: "a", withinMs: 5000 } })] });
    assert.equal(compilePlan(ok).stages.length, 2);
    const bad = parsePlan({ steps: [step("a"), step("b", { deadline: { after: "a", withinMs: 5000 } })] });
    assert.throws(() => compilePlan(bad), /steps\[1\]\.deadline\.after: "b" does not run after "a"/);
  });

  it("validates compensations and retry policies like any action", () => {
    assert.throws(() => parsePlan({ steps: [step("a", { compensate: [{ type: "scael", params: {} }] })] }), /steps\[0\]\.compensate\[0\]\.type: unknown action type "scael"/);
    assert.throws(() => parsePlan({ steps: [step("a", { retry: { maxAttempts: 2, backoff: { kind: "fixed", baseMs: 10 }, retryOn: ["cancelled"] } })] }), /cancelled is never retried/);
  });

  it("computes back-off delays and classifies API errors", () => {
    const b = (kind: "fixed" | "linear" | "exponential") => [1, 2, 3, 4].map((n) => backoffDelay({ kind, baseMs: 100, capMs: 350 }, n));
    assert.deepEqual(b("fixed"), [100, 100, 100, 100]);
    assert.deepEqual(b("linear"), [100, 200, 300, 350]);
    assert.deepEqual(b("exponential"), [100, 200, 350, 350]);
    const classes = [[0, "Timeout"], [409, "Conflict"], [409, "AlreadyExists"], [404, "NotFound"], [429, "TooManyRequests"], [503, "ServiceUnavailable"], [403, "Forbidden"], [422, "Invalid"]] as const;
    assert.deepEqual(classes.map(([s, r]) => classifyError(new KubeApiError(s, r, "x"))), ["unreachable", "conflict", "already-exists", "not-found", "throttled", "server-error", "forbidden", "invalid"]);
  });
});

describe("fixtures used by the execution tests", () => {
  it("compile into the stages their stories rely on", async () => {
    const file = join(import.meta.dirname, "fixtures/good/deadline.yaml");
    const pb = parsePlaybook(readFileSync(file, "utf8"), file, { policy: DEFAULT_POLICY });
    const input = diagnosis("exec", "Deployment", "front", "operation-error", "application", { cache: "cache" });
    const c = compilePlaybook(pb, await bindParams(pb, input), input);
    assert.deepEqual(c.stages.map((s) => s.map((x) => x.id)), [["drain", "warm-cache"], ["switch"]]);
  });
});

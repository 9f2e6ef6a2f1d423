/**
 * Scenario files: a good file loads with its durations in milliseconds; bad YAML, an unknown field,
 * an unknown fault kind, a target kind the fault does not take and a target the app does not have
 * are each reported with the file and the field — and the good files next to them still load.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catalogFrom } from "../../evals/catalog-view.ts";
import { loadScenarios, parseScenarioText } from "../../evals/loader.ts";
import { sandboxCatalog } from "../../evals/sandbox-catalog.ts";

const catalog = catalogFrom(
  [
    { spec: { kind: "service-target-port", targetKinds: ["Service"], truth: { layer: "virtualization", type: "misconfiguration" } } },
    { spec: { kind: "scale-zero", targetKinds: ["Deployment"], truth: { layer: "virtualization", type: "operation-error" } } },
    { spec: { kind: "noise-restart", targetKinds: ["Deployment"], truth: "benign" } },
  ],
  [{ name: "hotel-reservation", objects: [{ kind: "Service", metadata: { name: "rate" } }, { kind: "Deployment", metadata: { name: "rate" } }, { kind: "Deployment", metadata: { name: "search" } }] }],
);

const GOOD = `id: hotel-reservation/service-target-port-rate
app: hotel-reservation
seed: 7
description: free text
faults:
  - kind: service-target-port
    target: { kind: Service, name: rate }
    params: {}
    at: 0s
noise:
  - kind: noise-restart
    target: { kind: Deployment, name: search }
    at: 30s
expect:
  detected: true
  localization: [rate]
  rootCause: { layer: virtualization, type: misconfiguration }
  mitigated: true
budget: { simTime: 20m, attempts: 5 }
`;

const problemsOf = (text: string) => {
  const r = parseScenarioText(text, "bad.yaml", catalog);
  assert.ok("problems" in r, "expected problems");
  return r.problems;
};

describe("scenario files", () => {
  it("parses the issue's example, with durations in milliseconds", () => {
    const r = parseScenarioText(GOOD, "good.yaml", catalog);
    assert.ok("scenario" in r, JSON.stringify(r));
    assert.equal(r.scenario.id, "hotel-reservation/service-target-port-rate");
    assert.equal(r.scenario.faults[0].at, 0);
    assert.equal(r.scenario.noise?.[0].at, 30_000);
    assert.deepEqual(r.scenario.budget, { simTime: 1_200_000, attempts: 5 });
    assert.deepEqual(r.scenario.expect.rootCause, { layer: "virtualization", type: "misconfiguration" });
  });

  it("a scenario without faults is a no-fault scenario", () => {
    const r = parseScenarioText("id: x/no-fault\napp: hotel-reservation\nseed: 1\nexpect: { detected: false, mitigated: false }\n", "f.yaml", catalog);
    assert.ok("scenario" in r);
    assert.deepEqual(r.scenario.faults, []);
  });

  it("reports bad YAML with the file and the line", () => {
    const [p] = problemsOf("id: [unclosed\napp: hotel-reservation\n");
    assert.equal(p.file, "bad.yaml");
    assert.match(p.field, /yaml, line \d+/);
    assert.match(p.message, /not valid YAML/);
  });

  it("refuses an unknown field, naming it", () => {
    const problems = problemsOf(GOOD.replace("  mitigated: true", "  mitigated: true\n  mitigatedFast: true"));
    assert.deepEqual(problems.map((p) => p.field), ["expect.mitigatedFast"]);
    assert.match(problems[0].message, /unknown field "mitigatedFast"/);
    const top = problemsOf(GOOD + "owner: me\n");
    assert.deepEqual(top.map((p) => p.field), ["owner"]);
  });

  it("refuses an unknown fault kind, listing the known ones", () => {
    const [p] = problemsOf(GOOD.replace("kind: service-target-port", "kind: service-port-typo"));
    assert.equal(p.field, "faults[0].kind");
    assert.match(p.message, /unknown fault kind "service-port-typo".*service-target-port/);
  });

  it("refuses a target that does not exist in the app, and a kind the fault does not take", () => {
    const [missing] = problemsOf(GOOD.replace("{ kind: Service, name: rate }", "{ kind: Service, name: ratez }"));
    assert.equal(missing.field, "faults[0].target.name");
    assert.match(missing.message, /hotel-reservation has no Service "ratez"; it has: rate/);
    const [wrongKind] = problemsOf(GOOD.replace("{ kind: Service, name: rate }", "{ kind: Deployment, name: rate }"));
    assert.equal(wrongKind.field, "faults[0].target.kind");
  });

  it("keeps noise and faults apart, and checks types and durations", () => {
    const problems = problemsOf(GOOD.replace("  - kind: noise-restart", "  - kind: scale-zero").replace("seed: 7", "seed: seven").replace("at: 30s", "at: soon"));
    assert.deepEqual(problems.map((p) => p.field).sort(), ["noise[0].at", "seed"]);
    const [noiseAsFault] = problemsOf(GOOD.replace("kind: service-target-port\n    target: { kind: Service, name: rate }", "kind: noise-restart\n    target: { kind: Deployment, name: rate }"));
    assert.equal(noiseAsFault.field, "faults[0].kind");
    assert.match(noiseAsFault.message, /noise/);
  });

  it("checks params against the fault's own schema", () => {
    const real = sandboxCatalog();
    const r = parseScenarioText(GOOD.replace("params: {}", "params: { bogus: 1 }"), "p.yaml", real);
    assert.ok("problems" in r, JSON.stringify(r));
    assert.deepEqual(r.problems.map((p) => p.field), ["faults[0].params"]);
    assert.match(r.problems[0].message, /unknown param bogus/);
  });

  describe("a folder with good and bad files", () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), "stratus-scenarios-"));
      mkdirSync(join(dir, "sub"));
      writeFileSync(join(dir, "a-good.yaml"), GOOD);
      writeFileSync(join(dir, "sub", "b-good.yml"), GOOD.replace("id: hotel-reservation/service-target-port-rate", "id: hotel-reservation/other"));
      writeFileSync(join(dir, "c-bad.yaml"), GOOD.replace("kind: service-target-port", "kind: nope"));
      writeFileSync(join(dir, "d-dup.yaml"), GOOD);
      writeFileSync(join(dir, "notes.txt"), "not a scenario");
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("loads the good ones and reports each bad one with its file", () => {
      const r = loadScenarios([dir], catalog, dir);
      assert.deepEqual(r.scenarios.map((s) => s.file), ["a-good.yaml", join("sub", "b-good.yml")]);
      assert.deepEqual(r.problems.map((p) => `${p.file}:${p.field}`), ["c-bad.yaml:faults[0].kind", "d-dup.yaml:id"]);
    });

    it("reports a path that does not exist", () => {
      const r = loadScenarios([join(dir, "missing")], catalog, dir);
      assert.equal(r.scenarios.length, 0);
      assert.match(r.problems[0].message, /no such file/);
    });
  });

  it("the public catalog loads without problems and covers what the issue asks", () => {
    const real = sandboxCatalog();
    const r = loadScenarios(["evals/scenarios"], real);
    assert.deepEqual(r.problems, []);
    const all = r.scenarios.map((s) => s.scenario);
    assert.ok(all.length >= 40, `${all.length} scenarios`);
    assert.deepEqual(new Set(all.map((s) => s.app)), new Set(["hotel-reservation", "social-network"]));
    for (const kind of real.kinds().filter((k) => !real.fault(k)!.benign)) {
      const targets = new Set(all.flatMap((s) => s.faults.filter((f) => f.kind === kind).map((f) => `${s.app}/${f.target.name}`)));
      assert.ok(targets.size >= 2, `${kind} is on ${targets.size} target(s)`);
    }
    assert.ok(all.some((s) => s.faults.length === 0 && !s.noise?.length), "a no-fault scenario");
    assert.ok(all.some((s) => s.faults.length === 0 && s.noise?.length), "a noise-only scenario");
    assert.ok(all.filter((s) => s.faults.length >= 2).length >= 2, "scenarios with two faults");
    const has = (app: string, kind: string, name: string) => all.some((s) => s.app === app && s.faults.some((f) => f.kind === kind && f.target.name === name));
    for (const name of ["user-service", "text-service", "post-storage-service"]) assert.ok(has("social-network", "service-target-port", name), name);
    for (const db of ["mongodb-geo", "mongodb-rate"]) {
      assert.ok(has("hotel-reservation", "db-auth-revoked", db));
      assert.ok(has("hotel-reservation", "db-user-dropped", db));
    }
    assert.ok(has("hotel-reservation", "image-buggy", "geo"));
    assert.ok(has("social-network", "scale-zero", "user-service"));
    assert.ok(has("social-network", "node-selector", "user-service"));
    assert.ok(has("hotel-reservation", "wrong-command", "profile"));
    assert.ok(all.some((s) => s.faults.some((f) => f.kind === "pvc-unbound")));
  });
});

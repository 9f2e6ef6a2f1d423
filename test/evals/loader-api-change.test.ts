/**
 * api-change scenarios through the real loader and the real catalog: a good file loads; each of 34
 * malformed files is refused with the file and the field named — bad ops, patches that do not apply
 * (checked on a twin of the app with the API server's own patch, defaulting and validation),
 * creates of objects that exist, unknown kinds, missing manifests, patches given for a delete — and
 * a file whose second change fails is refused as a whole, so nothing of it is ever applied.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseScenarioText } from "../../evals/loader.ts";
import { sandboxCatalog } from "../../evals/sandbox-catalog.ts";

const catalog = sandboxCatalog();

const scenario = (faults: string, extra = "") => `id: t/api-change
app: hotel-reservation
seed: 1
faults:
${faults}
${extra}expect: { detected: true, mitigated: true }
`;

/** One api-change injection as YAML lines under `faults:`. */
const inj = (target: string, params: string, at = "") => `  - kind: api-change
    target: ${target}
    params: ${params}${at ? `\n    at: ${at}` : ""}`;

const load = (text: string, file = "evals/scenarios/api-change/x.yaml") => parseScenarioText(text, file, catalog);

describe("api-change scenarios: good ones load", () => {
  it("a json-patch, a merge-patch, a create and a delete, with restart, as the issue writes them", () => {
    const text = scenario([
      inj("{ kind: ConfigMap, name: search-config }", `{ op: merge-patch, patch: { data: { note: "x" } }, restart: [search] }`),
      inj("{ kind: Service, name: rate }", `{ op: json-patch, patch: [{ op: replace, path: /spec/ports/0/port, value: 8085 }] }`, "30s"),
      inj("{ kind: ResourceQuota, name: compute }", `{ op: create, manifest: { spec: { hard: { pods: "10" } } } }`),
      inj("{ kind: Node, name: node-2 }", `{ op: merge-patch, patch: { spec: { unschedulable: true } } }`),
    ].join("\n"), "noise:\n" + inj("{ kind: Secret, name: mongodb-geo-credentials }", "{ op: merge-patch, patch: { metadata: { labels: { team: search } } } }") + "\n");
    const r = load(text);
    assert.ok("scenario" in r, JSON.stringify(r));
    assert.equal(r.scenario.faults.length, 4);
  });

  it("a later change sees an earlier one (create, then patch what was created)", () => {
    const r = load(scenario([
      inj("{ kind: ConfigMap, name: extra }", `{ op: create, manifest: { data: { a: "1" } } }`),
      inj("{ kind: ConfigMap, name: extra }", `{ op: json-patch, patch: [{ op: test, path: /data/a, value: "1" }, { op: remove, path: /data/a }] }`, "10s"),
    ].join("\n")));
    assert.ok("scenario" in r, JSON.stringify(r));
  });
});

type Bad = { name: string; faults: string; field: string; message: RegExp; extra?: string };

const BAD: Bad[] = [
  { name: "op missing", faults: inj("{ kind: ConfigMap, name: geo-config }", "{ patch: { data: {} } }"), field: "faults[0].params.op", message: /json-patch, merge-patch, delete, create/ },
  { name: "op unknown", faults: inj("{ kind: ConfigMap, name: geo-config }", "{ op: strategic-patch, patch: { data: {} } }"), field: "faults[0].params.op", message: /must be one of/ },
  { name: "op not a string", faults: inj("{ kind: ConfigMap, name: geo-config }", "{ op: 3 }"), field: "faults[0].params.op", message: /must be one of/ },
  { name: "unknown param", faults: inj("{ kind: ConfigMap, name: geo-config }", "{ op: delete, force: true }"), field: "faults[0].params.force", message: /unknown param "force".*known: op, patch, manifest, restart/ },
  { name: "json-patch without patch", faults: inj("{ kind: Service, name: rate }", "{ op: json-patch }"), field: "faults[0].params.patch", message: /required with op json-patch/ },
  { name: "json-patch with an object", faults: inj("{ kind: Service, name: rate }", "{ op: json-patch, patch: { spec: {} } }"), field: "faults[0].params.patch", message: /non-empty list of RFC 6902/ },
  { name: "json-patch empty", faults: inj("{ kind: Service, name: rate }", "{ op: json-patch, patch: [] }"), field: "faults[0].params.patch", message: /non-empty list/ },
  { name: "json-patch bad op name", faults: inj("{ kind: Service, name: rate }", "{ op: json-patch, patch: [{ op: set, path: /spec, value: 1 }] }"), field: "faults[0].params.patch[0].op", message: /add|replace/ },
  { name: "json-patch path not a pointer", faults: inj("{ kind: Service, name: rate }", "{ op: json-patch, patch: [{ op: remove, path: spec.ports }] }"), field: "faults[0].params.patch[0].path", message: /JSON pointer/ },
  { name: "json-patch replace without value", faults: inj("{ kind: Service, name: rate }", "{ op: json-patch, patch: [{ op: replace, path: /spec/ports/0/port }] }"), field: "faults[0].params.patch[0].value", message: /needs a value/ },
  { name: "json-patch move without from", faults: inj("{ kind: Service, name: rate }", "{ op: json-patch, patch: [{ op: move, path: /spec/x }] }"), field: "faults[0].params.patch[0].from", message: /needs "from"/ },
  { name: "json-patch extra key in an operation", faults: inj("{ kind: Service, name: rate }", "{ op: json-patch, patch: [{ op: remove, path: /spec/x, why: y }] }"), field: "faults[0].params.patch[0]", message: /why/ },
  { name: "json-patch path that does not exist", faults: inj("{ kind: Service, name: rate }", "{ op: json-patch, patch: [{ op: replace, path: /spec/ports/3/port, value: 1 }] }"), field: "faults[0].params.patch[0]", message: /would refuse it \(422 Invalid\).*path not found|out of range|index/ },
  { name: "json-patch failing test", faults: inj("{ kind: Service, name: rate }", "{ op: json-patch, patch: [{ op: test, path: /spec/ports/0/port, value: 1 }, { op: remove, path: /spec/ports/0 }] }"), field: "faults[0].params.patch[0]", message: /test failed/ },
  { name: "json-patch whose second op fails", faults: inj("{ kind: Service, name: rate }", "{ op: json-patch, patch: [{ op: add, path: /metadata/labels/x, value: y }, { op: remove, path: /spec/nothing }] }"), field: "faults[0].params.patch[1]", message: /path not found|nonexistent|does not exist/ },
  { name: "json-patch to an invalid object", faults: inj("{ kind: Service, name: rate }", "{ op: json-patch, patch: [{ op: replace, path: /spec/ports/0/port, value: 70000 }] }"), field: "faults[0].params.patch", message: /spec\.ports\[0\]\.port/ },
  { name: "json-patch changing the name", faults: inj("{ kind: Service, name: rate }", "{ op: json-patch, patch: [{ op: replace, path: /metadata/name, value: rate2 }] }"), field: "faults[0].params.patch", message: /name/ },
  { name: "merge-patch without patch", faults: inj("{ kind: Deployment, name: geo }", "{ op: merge-patch }"), field: "faults[0].params.patch", message: /required with op merge-patch/ },
  { name: "merge-patch with a list", faults: inj("{ kind: Deployment, name: geo }", "{ op: merge-patch, patch: [{ op: remove, path: /spec }] }"), field: "faults[0].params.patch", message: /op json-patch/ },
  { name: "merge-patch empty", faults: inj("{ kind: Deployment, name: geo }", "{ op: merge-patch, patch: {} }"), field: "faults[0].params.patch", message: /non-empty mapping/ },
  { name: "merge-patch to an invalid object", faults: inj("{ kind: Deployment, name: geo }", "{ op: merge-patch, patch: { spec: { replicas: -1 } } }"), field: "faults[0].params.patch", message: /spec\.replicas/ },
  { name: "merge-patch with a manifest", faults: inj("{ kind: Deployment, name: geo }", "{ op: merge-patch, patch: { spec: { replicas: 2 } }, manifest: { spec: {} } }"), field: "faults[0].params.manifest", message: /not allowed with op merge-patch/ },
  { name: "patch of an object the app does not have", faults: inj("{ kind: ConfigMap, name: nothing-config }", "{ op: merge-patch, patch: { data: { a: b } } }"), field: "faults[0].target.name", message: /no ConfigMap "nothing-config" in namespace hotel-reservation; there are: .*geo-config/ },
  { name: "delete with a patch", faults: inj("{ kind: Service, name: geo }", "{ op: delete, patch: { spec: {} } }"), field: "faults[0].params.patch", message: /not allowed with op delete/ },
  { name: "delete with a manifest", faults: inj("{ kind: Service, name: geo }", "{ op: delete, manifest: { spec: {} } }"), field: "faults[0].params.manifest", message: /not allowed with op delete/ },
  { name: "delete of a missing object", faults: inj("{ kind: Service, name: nowhere }", "{ op: delete }"), field: "faults[0].target.name", message: /no Service "nowhere"/ },
  { name: "delete of a missing Node", faults: inj("{ kind: Node, name: node-9 }", "{ op: delete }"), field: "faults[0].target.name", message: /no Node "node-9"; there are: node-1, node-2, node-3/ },
  { name: "create without a manifest", faults: inj("{ kind: ConfigMap, name: extra }", "{ op: create }"), field: "faults[0].params.manifest", message: /required with op create/ },
  { name: "create with a patch", faults: inj("{ kind: ConfigMap, name: extra }", "{ op: create, manifest: { data: {} }, patch: { data: {} } }"), field: "faults[0].params.patch", message: /not allowed with op create/ },
  { name: "create of an existing object", faults: inj("{ kind: ConfigMap, name: geo-config }", "{ op: create, manifest: { data: { a: b } } }"), field: "faults[0].target.name", message: /already exists/ },
  { name: "create with another kind in the manifest", faults: inj("{ kind: ConfigMap, name: extra }", "{ op: create, manifest: { kind: Secret, data: {} } }"), field: "faults[0].params.manifest.kind", message: /must agree/ },
  { name: "create with another name in the manifest", faults: inj("{ kind: ConfigMap, name: extra }", "{ op: create, manifest: { metadata: { name: other } } }"), field: "faults[0].params.manifest.metadata.name", message: /must agree/ },
  { name: "create with another namespace", faults: inj("{ kind: ConfigMap, name: extra }", "{ op: create, manifest: { metadata: { namespace: default } } }"), field: "faults[0].params.manifest.metadata.namespace", message: /app's namespace hotel-reservation/ },
  { name: "create of an invalid object", faults: inj("{ kind: Service, name: extra }", "{ op: create, manifest: { spec: { ports: [{ port: 0 }] } } }"), field: "faults[0].params.manifest", message: /spec\.ports\[0\]\.port/ },
  { name: "manifest not a mapping", faults: inj("{ kind: ConfigMap, name: extra }", "{ op: create, manifest: [1, 2] }"), field: "faults[0].params.manifest", message: /must be a mapping/ },
  { name: "unknown kind", faults: inj("{ kind: Gadget, name: x }", "{ op: delete }"), field: "faults[0].target.kind", message: /serves no kind "Gadget"; kinds: .*ConfigMap/ },
  { name: "a controller-made kind", faults: inj("{ kind: Pod, name: geo-1 }", "{ op: delete }"), field: "faults[0].target.kind", message: /made by controllers/ },
  { name: "restart of a missing Deployment", faults: inj("{ kind: ConfigMap, name: geo-config }", "{ op: merge-patch, patch: { data: { a: b } }, restart: [geo, nope] }"), field: "faults[0].params.restart[1]", message: /no Deployment "nope"/ },
  { name: "restart not a list of names", faults: inj("{ kind: ConfigMap, name: geo-config }", "{ op: merge-patch, patch: { data: { a: b } }, restart: [{ name: geo }] }"), field: "faults[0].params.restart[0]", message: /expected string/ },
  { name: "a later change to what an earlier one deleted", faults: [inj("{ kind: Service, name: geo }", "{ op: delete }"), inj("{ kind: Service, name: geo }", "{ op: merge-patch, patch: { metadata: { labels: { a: b } } } }", "1m")].join("\n"), field: "faults[1].target.name", message: /no Service "geo"/ },
  { name: "noise that cannot apply", faults: inj("{ kind: Service, name: geo }", "{ op: merge-patch, patch: { metadata: { labels: { a: b } } } }"), extra: "noise:\n" + inj("{ kind: Secret, name: nope }", "{ op: delete }") + "\n", field: "noise[0].target.name", message: /no Secret "nope"/ },
];

describe("api-change scenarios: malformed ones are refused with file and field", () => {
  it(`covers at least 30 cases (${BAD.length})`, () => assert.ok(BAD.length >= 30));
  for (const b of BAD) {
    it(b.name, () => {
      const r = load(scenario(b.faults, b.extra ?? ""));
      assert.ok("problems" in r, `expected a refusal for ${b.name}`);
      const p = r.problems.find((x) => x.field === b.field);
      assert.ok(p, `a problem at ${b.field}; got ${JSON.stringify(r.problems)}`);
      assert.equal(p.file, "evals/scenarios/api-change/x.yaml");
      assert.match(p.message, b.message);
    });
  }

  it("a file whose second change fails is refused as a whole: the runner never sees its first", () => {
    const r = load(scenario([
      inj("{ kind: Deployment, name: geo }", "{ op: merge-patch, patch: { spec: { replicas: 0 } } }"),
      inj("{ kind: Service, name: rate }", "{ op: json-patch, patch: [{ op: remove, path: /spec/nothing }] }", "30s"),
    ].join("\n")));
    assert.ok("problems" in r && !("scenario" in r));
    assert.deepEqual(r.problems.map((p) => p.field), ["faults[1].params.patch[0]"]);
  });
});

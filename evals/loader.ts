/**
 * Loading scenario files: expands paths (files or folders, recursively, `*.yaml`/`*.yml`, sorted),
 * parses each YAML file, validates it against the schema and then against the fault catalog and the
 * app (a known fault kind, a target kind the fault accepts, a target that exists in the app). Every
 * problem is reported with its file and field, and a bad file never stops the others: the caller
 * gets the good scenarios and the list of problems side by side.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseDocument } from "yaml";
import type { CatalogView } from "./catalog-view.ts";
import { ScenarioSchema, type Injection, type LoadedScenario, type Scenario, type ScenarioProblem } from "./scenario.ts";

export type LoadResult = { scenarios: LoadedScenario[]; problems: ScenarioProblem[] };

/** Scenario files under `paths` (files are taken as given; folders are walked), sorted, deduplicated. */
export function expandPaths(paths: string[]): { files: string[]; problems: ScenarioProblem[] } {
  const files = new Set<string>();
  const problems: ScenarioProblem[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name)) files.add(p);
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      problems.push({ file: p, field: "(file)", message: "no such file or folder; pass scenario files or folders" });
      continue;
    }
    if (st.isDirectory()) walk(p);
    else files.add(p);
  }
  return { files: [...files], problems };
}

/** Loads and validates every scenario under `paths`; see the module comment. */
export function loadScenarios(paths: string[], catalog: CatalogView, cwd = process.cwd()): LoadResult {
  const { files, problems } = expandPaths(paths);
  const scenarios: LoadedScenario[] = [];
  const seen = new Map<string, string>();
  for (const abs of files) {
    const file = relative(cwd, abs) || abs;
    let text: string;
    try {
      text = readFileSync(abs, "utf8");
    } catch (e) {
      problems.push({ file, field: "(file)", message: `cannot read: ${(e as Error).message}` });
      continue;
    }
    const parsed = parseScenarioText(text, file, catalog);
    if ("problems" in parsed) {
      problems.push(...parsed.problems);
      continue;
    }
    const earlier = seen.get(parsed.scenario.id);
    if (earlier) {
      problems.push({ file, field: "id", message: `"${parsed.scenario.id}" is already the id of ${earlier}; ids must be unique` });
      continue;
    }
    seen.set(parsed.scenario.id, file);
    scenarios.push(parsed);
  }
  return { scenarios, problems };
}

/** Parses one scenario's YAML text; `file` is only used in messages. */
export function parseScenarioText(text: string, file: string, catalog: CatalogView): LoadedScenario | { problems: ScenarioProblem[] } {
  const doc = parseDocument(text);
  if (doc.errors.length) {
    return {
      problems: doc.errors.map((e) => ({
        file,
        field: e.linePos?.[0] ? `(yaml, line ${e.linePos[0].line} column ${e.linePos[0].col})` : "(yaml)",
        message: `not valid YAML: ${e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`,
      })),
    };
  }
  const raw = doc.toJS() as unknown;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return { problems: [{ file, field: "(root)", message: "a scenario is a YAML mapping with id, app, seed, faults, expect" }] };
  }
  const r = ScenarioSchema.safeParse(raw);
  if (!r.success) {
    return {
      problems: r.error.issues.map((i) => {
        if (i.code === "unrecognized_keys") {
          const keys = (i as { keys: string[] }).keys;
          return { file, field: fieldPath([...i.path, keys[0]]), message: `unknown field${keys.length > 1 ? `s ${keys.join(", ")}` : ` "${keys[0]}"`}: the scenario format allows id, app, seed, description, faults, noise, expect, budget (see docs/EVALS.md)` };
        }
        return { file, field: fieldPath(i.path) || "(root)", message: i.message };
      }),
    };
  }
  const problems = checkAgainstCatalog(r.data, file, catalog);
  return problems.length ? { problems } : { file, scenario: r.data };
}

/**
 * Kinds, target kinds and target objects, checked against what the catalog and the app hold. A kind
 * with a preflight (api-change) checks its own injections — in the order they will run, on a twin of
 * the app — so a change that cannot apply is refused here, before anything is applied anywhere.
 */
export function checkAgainstCatalog(s: Scenario, file: string, catalog: CatalogView): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const preflights = new Map<string, Array<{ field: string; target: Injection["target"]; params?: Record<string, unknown>; at: number }>>();
  const check = (list: Injection[], field: "faults" | "noise") => {
    list.forEach((inj, i) => {
      const at = `${field}[${i}]`;
      const spec = catalog.fault(inj.kind);
      if (!spec) {
        const kinds = catalog.kinds().filter((k) => (field === "noise") === !!catalog.fault(k)?.benign || !!catalog.fault(k)?.alsoNoise);
        problems.push({ file, field: `${at}.kind`, message: `unknown fault kind "${inj.kind}"; known ${field === "noise" ? "noise " : ""}kinds: ${kinds.join(", ")}` });
        return;
      }
      if (field === "faults" && spec.benign) problems.push({ file, field: `${at}.kind`, message: `"${inj.kind}" is a benign noise kind: list it under noise, not faults` });
      if (field === "noise" && !spec.benign && !spec.alsoNoise) problems.push({ file, field: `${at}.kind`, message: `"${inj.kind}" is a fault, not noise: list it under faults` });
      if (spec.preflight && catalog.preflight) {
        const steps = preflights.get(inj.kind) ?? [];
        steps.push({ field: at, target: inj.target, params: inj.params, at: inj.at ?? 0 });
        preflights.set(inj.kind, steps);
        return;
      }
      const bad = catalog.checkParams(inj.kind, inj.params);
      if (bad) problems.push({ file, field: `${at}.params`, message: bad });
      if (!spec.targetKinds.includes(inj.target.kind)) {
        problems.push({ file, field: `${at}.target.kind`, message: `${inj.kind} is aimed at a ${spec.targetKinds.join(" or ")}, not a ${inj.target.kind}` });
        return;
      }
      if (!catalog.appHas(s.app, inj.target.kind, inj.target.name)) {
        const names = catalog.appObjects(s.app, inj.target.kind);
        problems.push({ file, field: `${at}.target.name`, message: `${s.app} has no ${inj.target.kind} "${inj.target.name}"${names.length ? `; it has: ${names.join(", ")}` : ""}` });
      }
    });
  };
  check(s.faults, "faults");
  check(s.noise ?? [], "noise");
  for (const [kind, steps] of preflights) {
    // The order the runner injects in: by `at`, faults before noise at the same time (a stable sort).
    const ordered = [...steps].sort((a, b) => a.at - b.at);
    for (const p of catalog.preflight!(s.app, kind, ordered)) problems.push({ file, field: p.field, message: p.message });
  }
  return problems;
}

/** A zod path as a reader writes it: `faults[0].target.name`. */
function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((k, i) => (typeof k === "number" ? `[${k}]` : `${i ? "." : ""}${String(k)}`)).join("");
}

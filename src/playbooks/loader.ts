/**
 * Reading playbooks: YAML text → a validated Playbook, or a PlaybookError whose every issue names
 * the file, the field and its line (from the `yaml` package's node ranges). A document passes the
 * schema (unknown fields refused), then the static checks (references, cycles, params, actions,
 * the policy). Each playbook carries the sha256 digest of its file's exact bytes, which the ledger
 * records with every plan made from it, and the sha256 of each script its exec steps run. Given a
 * lock (lockfile.ts), a file or script whose digest the lock does not list is refused.
 * `loadPlaybookDir` reads a library: good files load, bad ones are reported, and two files may not
 * share a name.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isMap, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { formatPath } from "../core/actions/schema.ts";
import type { Policy } from "../core/policy.ts";
import { PLAYBOOK_EXTENSIONS } from "./defaults.ts";
import { PlaybookError, type PlaybookIssue } from "./errors.ts";
import type { YamlPath } from "./flatten.ts";
import { playbookSchema, type ParamSpec, type Playbook } from "./schema.ts";
import { checkPlaybook, type PathIssue } from "./static-check.ts";
import { allSteps } from "./flatten.ts";
import { scriptPaths, type ExecSpec, type ScriptRef } from "./exec-step.ts";
import { lockIssues, type PlaybookLock } from "./lockfile.ts";
import { fileDigest } from "../core/actions/exec.ts";

export type LoadOptions = {
  policy?: Policy;
  /** When given, only files (and scripts) whose digests the lock lists load; see lockfile.ts. */
  lock?: PlaybookLock;
};

export const digestOf = (text: string) => `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`;

/** Parses and checks one playbook document. Throws PlaybookError listing every problem found. */
export function parsePlaybook(text: string, file: string, opts: LoadOptions = {}): Playbook {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length) {
    throw new PlaybookError(file, doc.errors.map((e) => ({
      path: "",
      message: `not valid YAML: ${e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`,
      ...(e.linePos ? { line: e.linePos[0].line } : {}),
    })));
  }
  const data = doc.toJS({ maxAliasCount: 50 }) ?? {};
  if (typeof data !== "object" || Array.isArray(data)) throw new PlaybookError(file, [{ path: "", message: "a playbook is a YAML mapping (name:, version:, match:, steps:, ...)", line: 1 }]);
  const r = playbookSchema.safeParse(data);
  if (!r.success) throw new PlaybookError(file, withLines(schemaIssues(r.error), doc, lines));
  const { params, ...rest } = r.data;
  const body = { ...rest, params: Object.entries(params).map(([name, p]): ParamSpec => ({ name, ...p })) } as Omit<Playbook, "source">;
  const problems = checkPlaybook(body, opts);
  const scripts = scriptsOf(body.steps, file, problems);
  if (problems.length) throw new PlaybookError(file, withLines(problems, doc, lines));
  const pb: Playbook = { ...body, source: { file, digest: digestOf(text), ...(scripts.length ? { scripts } : {}) } };
  if (opts.lock) {
    const refused = lockIssues(opts.lock, file, pb.source.digest, scripts);
    if (refused.length) throw new PlaybookError(file, refused, "refused playbook");
  }
  return pb;
}

/** The scripts the exec steps (and exec compensations) run, hashed now; a missing one is a problem at its command entry. */
function scriptsOf(steps: Playbook["steps"], file: string, problems: PathIssue[]): ScriptRef[] {
  const out = new Map<string, ScriptRef>();
  const visit = (spec: ExecSpec, at: YamlPath) => {
    const paths = scriptPaths(spec, file);
    let k = 0;
    spec.command.forEach((arg, i) => {
      if (!arg.startsWith("./") && !arg.startsWith("../")) return;
      const path = paths[k++];
      const digest = fileDigest(path);
      if (!digest) problems.push({ at: [...at, "command", i], message: `script ${arg} cannot be read (it is resolved against the playbook's folder)` });
      else out.set(path, { path, digest });
    });
  };
  for (const { spec, path } of allSteps(steps)) {
    if (spec.exec) visit(spec.exec, [...path, "exec"]);
    if (Array.isArray(spec.compensate)) spec.compensate.forEach((c, k) => "exec" in c && visit(c.exec, [...path, "compensate", k, "exec"]));
  }
  return [...out.values()];
}

/** Reads and parses one file; an unreadable file is a PlaybookError too. */
export function loadPlaybookFile(file: string, opts: LoadOptions = {}): Playbook {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new PlaybookError(file, [{ path: "", message: `cannot read the file: ${(e as Error).message}` }]);
  }
  // A locked library refuses an edited file before reading a word of it.
  if (opts.lock) {
    const refused = lockIssues(opts.lock, file, digestOf(text), []);
    if (refused.length) throw new PlaybookError(file, refused, "refused playbook");
  }
  return parsePlaybook(text, file, opts);
}

export const isPlaybookFile = (name: string) => PLAYBOOK_EXTENSIONS.some((x) => name.endsWith(x)) && !name.startsWith(".");

export type LibraryLoad = { playbooks: Playbook[]; errors: PlaybookError[] };

/** Every playbook file in `dir` (not recursive), sorted by file name. Never throws for a bad file. */
export function loadPlaybookDir(dir: string, opts: LoadOptions = {}): LibraryLoad {
  let names: string[];
  try {
    names = readdirSync(dir).filter(isPlaybookFile).sort();
  } catch (e) {
    return { playbooks: [], errors: [new PlaybookError(dir, [{ path: "", message: `cannot read the playbook directory: ${(e as Error).message}` }])] };
  }
  const playbooks: Playbook[] = [];
  const errors: PlaybookError[] = [];
  for (const n of names) {
    try {
      const pb = loadPlaybookFile(join(dir, n), opts);
      const clash = playbooks.find((p) => p.name === pb.name);
      if (clash) throw new PlaybookError(pb.source.file, [{ path: "name", message: `playbook name "${pb.name}" is already used by ${clash.source.file}`, line: 1 }]);
      playbooks.push(pb);
    } catch (e) {
      if (!(e instanceof PlaybookError)) throw e;
      errors.push(e);
    }
  }
  return { playbooks, errors };
}

/** zod issues with their raw paths (unknown keys at the key's own path; the furthest union branch). */
function schemaIssues(error: z.ZodError): PathIssue[] {
  const out: PathIssue[] = [];
  const visit = (issues: z.core.$ZodIssue[], prefix: YamlPath) => {
    for (const i of issues) {
      const at = [...prefix, ...(i.path as YamlPath)];
      if (i.code === "unrecognized_keys") for (const k of i.keys) out.push({ at: [...at, k], message: `unknown field "${k}"` });
      else if (i.code === "invalid_union" && i.errors.length) visit(i.errors.reduce((a, b) => (reach(b) > reach(a) ? b : a)), at);
      else if (i.code === "invalid_key") out.push({ at, message: `invalid name: ${i.issues.map((x) => x.message).join("; ")}` });
      else out.push({ at, message: i.message });
    }
  };
  visit(error.issues, []);
  return out;
}

/** How far into the document a union branch got before failing: its deepest path, fewer issues first. */
const reach = (issues: z.core.$ZodIssue[]) => Math.max(0, ...issues.map((i) => i.path.length)) - issues.length / 100;

/** Each issue with its path as text and the line of the deepest node of its path the document has. */
function withLines(issues: PathIssue[], doc: Document, lines: LineCounter): PlaybookIssue[] {
  return issues.map(({ at, message }) => {
    for (let n = at.length; n >= 0; n--) {
      const node = nodeAt(doc, at.slice(0, n));
      if (node?.range) return { path: formatPath(at), message, line: lines.linePos(node.range[0]).line };
    }
    return { path: formatPath(at), message };
  });
}

type Ranged = { range?: [number, number, number] };

/** The node at `path`; for a key that is present, the key itself (its line is the field's line). */
function nodeAt(doc: Document, path: YamlPath): Ranged | undefined {
  let node: unknown = doc.contents;
  for (const [i, k] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown })?.value === k);
      if (!pair) return undefined;
      if (i === path.length - 1 && pair.key) return pair.key as Ranged;
      node = pair.value;
    } else if (isSeq(node) && typeof k === "number") {
      node = node.items[k];
    } else return undefined;
  }
  return node as Ranged | undefined;
}

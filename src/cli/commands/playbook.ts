/**
 * `stratus playbook list | validate [FILE...] | show NAME | plan NAME|FILE | lock | watch` — the operator's view
 * of the playbook library. `validate` exits 1 and prints every problem as FILE:LINE: field: message.
 * `plan` binds a playbook to a diagnosis (from the ledger with --incident, or a JSON file with
 * --diagnosis) against a live cluster, prints its stages, and previews every action by server-side
 * dry run: nothing is written. `plan FILE` (no diagnosis) prints the stages the playbook's `after`
 * and capabilities give, before any binding. `lock` writes playbooks.lock (sha256 of each playbook
 * and each action script, optionally Ed25519-signed); `lock --check` compares the files with it.
 * `watch` prints reloads as files change; an invalid edit is reported and the last good version
 * stays in force. Exit codes: 0 ok, 1 failure, 2 usage.
 */
import { readPayloads } from "../../core/ledger/payload.ts";
import { GRAPH } from "../../graph/payloads.ts";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { describeAction } from "../../core/actions/registry.ts";
import { DEFAULT_LEDGER_PATH, openLedger, type SqliteLedger } from "../../core/ledger/index.ts";
import { isActionStep, dryRunPlan, type Step } from "../../core/plan.ts";
import { DEFAULT_POLICY, loadPolicy, type Policy } from "../../core/policy.ts";
import { describeWait } from "../../core/wait.ts";
import { KubeClient, loadKubeConfig } from "../../kube/kube-client.ts";
import {
  bindParams, compilePlaybook, DEFAULT_PLAYBOOK_DIR, explainMatch, inputFrom, isNotApplicable, isPlaybookError, KNOWN_FACTS, loadPlaybookDir,
  loadPlaybookFile, shownParams, watchPlaybooks, type Playbook, type PlaybookError, type PlaybookInput, type StepSpec,
  createLock, readLock, lockIssues, LOCK_FILE, staticStages,
} from "../../playbooks/index.ts";
import { DEFAULT_GATE_TIMEOUT_MS } from "../../playbooks/defaults.ts";
import { formatDuration } from "../../base/duration.ts";
import { UsageError, type Io } from "../io.ts";

const USAGE = `Usage: stratus playbook <command> [flags]

Commands:
  list                  the playbooks in force: name, version, priority, what they match
  validate [FILE...]    check playbook files (default: every file in --dir); exit 1 naming each problem
  show NAME             one playbook: match, params and where they come from, steps, gate, digest
  plan NAME             bind NAME to a diagnosis, print its stages and a server dry-run diff (writes nothing)
                        --incident ID [--db FILE] | --diagnosis FILE.json   [--hypothesis N]
  plan FILE             the stages of a playbook file before binding (after + produces/consumes); -o json
  lock                  write DIR/playbooks.lock: sha256 of every playbook and action script it runs
                        [--sign-key ed25519.pem]; --check [--verify-key pub.pem] compares the files with it
  watch                 reload playbooks as their files change; print each change (Ctrl-C to stop)

Flags:
  --dir DIR             the playbook directory (default: ${DEFAULT_PLAYBOOK_DIR})
  --policy FILE         the policy to check against (default: the built-in policy)
  --kubeconfig FILE     the cluster, for plan (default: $KUBECONFIG or ~/.kube/config)
  --context NAME        the kubeconfig context to use
  --db FILE             the ledger (plan --incident; also where last good values are read) (default ${DEFAULT_LEDGER_PATH})
  -o, --output FORMAT   table (default) or json, for list, show and plan FILE`;

const OPTIONS = {
  dir: { type: "string" },
  policy: { type: "string" },
  kubeconfig: { type: "string" },
  context: { type: "string" },
  db: { type: "string" },
  incident: { type: "string" },
  diagnosis: { type: "string" },
  hypothesis: { type: "string" },
  output: { type: "string", short: "o" },
  "sign-key": { type: "string" },
  "verify-key": { type: "string" },
  check: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type Flags = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]["type"] extends "boolean" ? boolean : string };

export async function playbookCommand(argv: string[], io: Io, opts: { signal?: AbortSignal } = {}): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === "help" || sub === "--help" || sub === "-h") {
    io.out(USAGE);
    return sub ? 0 : 2;
  }
  const { values, positionals } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
  const flags = values as Flags;
  if (flags.help) {
    io.out(USAGE);
    return 0;
  }
  if (flags.output && !["table", "json"].includes(flags.output)) throw new UsageError(`-o must be table or json, not "${flags.output}"`);
  const policy: Policy = flags.policy ? loadPolicy(flags.policy) : DEFAULT_POLICY;
  const dir = flags.dir ?? DEFAULT_PLAYBOOK_DIR;
  switch (sub) {
    case "list":
      return list(dir, policy, flags, io);
    case "validate":
      return validate(dir, positionals, policy, io);
    case "show":
      return show(find(dir, policy, positionals, "show"), flags, io);
    case "plan":
      if (positionals.length === 1 && !flags.incident && !flags.diagnosis && isFile(positionals[0])) return planFile(positionals[0], policy, flags, io);
      return plan(find(dir, policy, positionals, "plan"), policy, flags, io);
    case "lock":
      return flags.check ? checkLock(dir, policy, flags, io) : lock(dir, policy, flags, io);
    case "watch":
      return watch(dir, policy, io, opts.signal);
    default:
      throw new UsageError(`unknown playbook command "${sub}": expected list, validate, show, plan, lock or watch (see stratus playbook --help)`);
  }
}

function list(dir: string, policy: Policy, flags: Flags, io: Io): number {
  const { playbooks, errors } = loadPlaybookDir(dir, { policy });
  if (flags.output === "json") {
    io.out(JSON.stringify(playbooks.map((p) => ({ name: p.name, version: p.version, priority: p.match.priority, match: p.match, description: p.description, digest: p.source.digest, file: p.source.file })), null, 2));
  } else {
    const rows = playbooks.map((p) => [p.name, p.version, String(p.match.priority), p.match.entityKind.join(","), p.gate === "none" ? "-" : "approval", p.description]);
    table(["NAME", "VERSION", "PRIORITY", "MATCHES", "GATE", "DESCRIPTION"], rows, io);
  }
  for (const e of errors) io.err(`skipped: ${e.message}`);
  return errors.length ? 1 : 0;
}

function validate(dir: string, files: string[], policy: Policy, io: Io): number {
  const errors: PlaybookError[] = [];
  let ok = 0;
  if (files.length) {
    for (const f of files) {
      try {
        const pb = loadPlaybookFile(f, { policy });
        io.out(`ok ${f}: ${pb.name} ${pb.version}`);
        ok++;
      } catch (e) {
        if (!isPlaybookError(e)) throw e;
        errors.push(e);
      }
    }
  } else {
    const r = loadPlaybookDir(dir, { policy });
    for (const pb of r.playbooks) io.out(`ok ${pb.source.file}: ${pb.name} ${pb.version}`);
    ok = r.playbooks.length;
    errors.push(...r.errors);
  }
  for (const e of errors) io.err(e.message);
  io.out(`${ok} valid, ${errors.length} invalid`);
  return errors.length ? 1 : 0;
}

function find(dir: string, policy: Policy, positionals: string[], cmd: string): Playbook {
  const name = positionals[0];
  if (!name || positionals.length > 1) throw new UsageError(`usage: stratus playbook ${cmd} NAME`);
  const { playbooks } = loadPlaybookDir(dir, { policy });
  const pb = playbooks.find((p) => p.name === name);
  if (!pb) throw new Error(`no valid playbook named "${name}" in ${dir}; the library has: ${playbooks.map((p) => p.name).join(", ") || "none"} (stratus playbook validate shows why a file was skipped)`);
  return pb;
}

function show(pb: Playbook, flags: Flags, io: Io): number {
  if (flags.output === "json") {
    io.out(JSON.stringify(pb, null, 2));
    return 0;
  }
  const m = pb.match;
  io.out(`${pb.name} ${pb.version}  ${pb.source.digest}\n${pb.source.file}\n${pb.description}\n`);
  io.out(`match (priority ${m.priority}): ${m.entityKind.join(" | ")}${m.type ? `; type ${m.type.join(" | ")}` : ""}${m.layer ? `; layer ${m.layer.join(" | ")}` : ""}`);
  for (const c of m.when ?? []) io.out(`  when ${JSON.stringify(c)}`);
  io.out("params:");
  for (const p of pb.params) {
    const from = p.value !== undefined ? `= ${JSON.stringify(p.value)}` : (p.from ?? []).map((s) => ("path" in s ? s.path : `resolve ${s.resolve}`)).join(", then ");
    io.out(`  ${p.name} (${p.type}${p.optional ? ", optional" : ""}${p.sensitive ? ", sensitive" : ""}): ${from}${p.default !== undefined ? `, default ${JSON.stringify(p.default)}` : ""}`);
    for (const s of p.from ?? []) if ("path" in s && s.path.startsWith("facts.") && KNOWN_FACTS[s.path.slice(6)]) io.out(`      ${s.path}: ${KNOWN_FACTS[s.path.slice(6)]}`);
  }
  io.out("steps:");
  const walk = (steps: StepSpec[], indent: string) => {
    for (const s of steps) {
      const after = s.after?.length ? ` (after ${s.after.join(", ")})` : "";
      if (s.parallel) {
        io.out(`${indent}${s.id}: in parallel${after}`);
        walk(s.parallel, `${indent}  `);
      } else if (s.decision) {
        io.out(`${indent}${s.id}: when ${JSON.stringify(s.decision.when)}${after}`);
        for (const branch of ["then", "else"] as const) {
          if (!s.decision[branch].length) continue;
          io.out(`${indent}  ${branch}:`);
          walk(s.decision[branch], `${indent}    `);
        }
      } else if (s.wait) {
        io.out(`${indent}${s.id}: wait until ${Object.keys(s.wait.until)[0]} ${JSON.stringify(Object.values(s.wait.until)[0])} (at most ${formatDuration(s.wait.ms)})${after}`);
      } else {
        const what = s.exec ? `exec ${JSON.stringify(s.exec.command)} (risk ${s.exec.risk ?? "high, undeclared"}${s.exec.dryRun === "supported" ? ", dry run supported" : ""})` : s.action;
        io.out(`${indent}${s.id}: ${what} ${JSON.stringify(s.with ?? {})}${after}`);
        const extras = [
          s.retry && `retry ${s.retry.maxAttempts}× ${s.retry.backoff} from ${formatDuration(s.retry.base)}${s.retry.cap !== undefined ? ` up to ${formatDuration(s.retry.cap)}` : ""}${s.retry.fatalOn?.length ? `, fatal on ${s.retry.fatalOn.join(", ")}` : ""}`,
          s.precondition && `precondition ${Object.keys(s.precondition.until)[0]}`,
          s.postcondition && `postcondition ${Object.keys(s.postcondition.until)[0]} within ${formatDuration(s.postcondition.ms)}`,
          s.deadline && `deadline: start within ${formatDuration(s.deadline.within)} of ${s.deadline.after}`,
          s.compensate && `compensate: ${s.compensate === "none" ? "none (nothing to undo)" : s.compensate.map((c) => ("exec" in c ? `exec ${c.exec.command.join(" ")}` : c.action)).join(", ")}`,
          s.produces && `produces ${s.produces.join(", ")}`,
          s.consumes && `consumes ${s.consumes.join(", ")}`,
        ].filter(Boolean);
        if (extras.length) io.out(`${indent}  ${extras.join("; ")}`);
      }
    }
  };
  walk(pb.steps, "  ");
  io.out(`gate: ${pb.gate === "none" ? "none" : `approval by ${pb.gate.approval.approvers.join(" or ")} within ${formatDuration(pb.gate.approval.timeout ?? DEFAULT_GATE_TIMEOUT_MS)}, on timeout ${pb.gate.approval.onTimeout}`}`);
  return 0;
}

async function plan(pb: Playbook, policy: Policy, flags: Flags, io: Io): Promise<number> {
  if (!!flags.incident === !!flags.diagnosis) throw new UsageError("plan needs the diagnosis: --incident ID (read from the ledger --db) or --diagnosis FILE.json");
  const hypothesis = flags.hypothesis === undefined ? 0 : Number(flags.hypothesis);
  if (!Number.isInteger(hypothesis) || hypothesis < 0) throw new UsageError(`--hypothesis must be 0 or more, not "${flags.hypothesis}"`);
  let ledger: SqliteLedger | undefined;
  try {
    if (flags.incident || flags.db) ledger = openLedger({ path: flags.db ?? DEFAULT_LEDGER_PATH, create: false });
    const input = flags.incident ? inputFromLedger(ledger!, flags.incident, hypothesis, flags.db ?? DEFAULT_LEDGER_PATH) : inputFrom(JSON.parse(readFileSync(flags.diagnosis!, "utf8")), undefined, hypothesis);
    const client = new KubeClient(loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context }));

    const match = explainMatch(pb, input);
    io.out(`playbook ${pb.name} ${pb.version} (${pb.source.digest})`);
    io.out(`diagnosis: ${input.rootCause.kind} ${input.rootCause.namespace ?? input.incident?.namespace ?? ""}/${input.rootCause.name}, ${input.type}, ${input.layer}${input.incident ? `, incident ${input.incident.id}` : ""}`);
    io.out(`${match.matched ? "matches" : "does NOT match (planned anyway, as asked)"}: ${match.reasons.join("; ")}`);
    let binding;
    try {
      binding = await bindParams(pb, input, { client, ledger });
    } catch (e) {
      if (!isNotApplicable(e)) throw e;
      io.err(e.message);
      return 1;
    }
    io.out("params:");
    for (const [k, v] of Object.entries(shownParams(binding))) io.out(`  ${k} = ${JSON.stringify(v)}  (${binding.sources[k]})`);
    const compiled = compilePlaybook(pb, binding, input, { policy });
    for (const d of compiled.decisions) io.out(`decision ${d.id}: ${d.when} → ${d.took}`);
    io.out("stages:");
    compiled.stages.forEach((stage, i) => stage.forEach((s, k) => io.out(`  ${k === 0 ? `${i + 1}.` : "  "} ${describeStep(s)}`)));
    const verdict = compiled.policy!;
    if (!verdict.allowed) io.out(`policy: REFUSED — ${verdict.refusals.map((r) => `${r.stepId}: ${r.reason}`).join("; ")}`);
    else io.out(`policy: allowed${verdict.needsApproval.length ? `; needs a person's approval for ${verdict.needsApproval.map((n) => n.stepId).join(", ")}` : ""}`);
    io.out(`gate: ${pb.gate === "none" ? "none" : `approval by ${pb.gate.approval.approvers.join(" or ")}`}`);
    io.out("dry run (server-side; nothing is written):");
    for (const d of await dryRunPlan(compiled.plan, client)) {
      io.out(`  ${d.stepId}: ${d.summary}`);
      for (const o of d.diffs) {
        if (!o.diff) continue;
        io.out(`    ${o.ref.kind} ${o.ref.namespace ? `${o.ref.namespace}/` : ""}${o.ref.name}`);
        for (const line of o.diff.split("\n")) io.out(`      ${line}`);
      }
    }
    return verdict.allowed ? 0 : 1;
  } finally {
    ledger?.close();
  }
}

const isFile = (p: string) => existsSync(p) && statSync(p).isFile();

/** The stages of one playbook file before any binding: what `after` and the capabilities make of it. */
function planFile(file: string, policy: Policy, flags: Flags, io: Io): number {
  let pb: Playbook;
  let stages;
  try {
    pb = loadPlaybookFile(file, { policy });
    stages = staticStages(pb);
  } catch (e) {
    if (!isPlaybookError(e)) throw e;
    io.err(e.message);
    return 1;
  }
  if (flags.output === "json") {
    io.out(JSON.stringify({ playbook: pb.name, version: pb.version, digest: pb.source.digest, file, stages }, null, 2));
    return 0;
  }
  io.out(`playbook ${pb.name} ${pb.version} (${pb.source.digest})`);
  io.out("stages (steps of one stage run in parallel; the first failure cancels the rest):");
  stages.forEach((stage, i) => stage.forEach((s, k) => {
    const caps = [s.produces.length && `produces ${s.produces.join(", ")}`, s.consumes.length && `consumes ${s.consumes.join(", ")}`, s.branch && `only on ${s.branch}`].filter(Boolean);
    io.out(`  ${k === 0 ? `${i + 1}.` : "  "} ${s.id}: ${s.what}${caps.length ? `  [${caps.join("; ")}]` : ""}`);
  }));
  return 0;
}

/** Writes DIR/playbooks.lock for the library as it is; refuses while any file in it is invalid. */
function lock(dir: string, policy: Policy, flags: Flags, io: Io): number {
  const { playbooks, errors } = loadPlaybookDir(dir, { policy });
  if (errors.length) {
    for (const e of errors) io.err(e.message);
    io.err(`not locked: ${errors.length} invalid playbook${errors.length === 1 ? "" : "s"} in ${dir}; fix or remove them first`);
    return 1;
  }
  const file = join(dir, LOCK_FILE);
  const text = createLock(file, playbooks, flags["sign-key"] ? readFileSync(flags["sign-key"], "utf8") : undefined);
  writeFileSync(file, text);
  const scripts = playbooks.reduce((n, p) => n + (p.source.scripts?.length ?? 0), 0);
  io.out(`wrote ${file}: ${playbooks.length} playbooks, ${scripts} action scripts${flags["sign-key"] ? ", signed (ed25519)" : ""}`);
  return 0;
}

/** Compares the library with its lock: every file that would be refused, and why. */
function checkLock(dir: string, policy: Policy, flags: Flags, io: Io): number {
  const l = readLock(join(dir, LOCK_FILE), { verifyKeyPem: flags["verify-key"] ? readFileSync(flags["verify-key"], "utf8") : undefined });
  const { playbooks, errors } = loadPlaybookDir(dir, { policy });
  let refused = errors.length;
  for (const e of errors) io.err(e.message);
  for (const pb of playbooks) {
    const issues = lockIssues(l, pb.source.file, pb.source.digest, pb.source.scripts ?? []);
    if (issues.length) {
      refused++;
      for (const i of issues) io.err(`${pb.source.file}: ${i.message}`);
    } else io.out(`ok ${pb.source.file}: ${pb.name} ${pb.version}`);
  }
  io.out(`${playbooks.length + errors.length - refused} match ${l.file}${l.verified ? " (signature verified)" : ""}, ${refused} refused`);
  return refused ? 1 : 0;
}

function describeStep(s: Step): string {
  if (!isActionStep(s)) return `${s.id}: wait until ${describeWait(s.wait.until)} (at most ${formatDuration(s.wait.timeoutMs)})`;
  const notes = [
    s.retry && `retry ${s.retry.maxAttempts}× ${s.retry.backoff.kind}`,
    s.postcondition && `then ${describeWait(s.postcondition.until)} within ${formatDuration(s.postcondition.timeoutMs)}`,
    s.deadline && `start within ${formatDuration(s.deadline.withinMs)} of ${s.deadline.after}`,
    s.compensate && (s.compensate.length ? `undo: ${s.compensate.map(describeAction).join("; ")}` : "no undo"),
  ].filter(Boolean);
  return `${s.id}: ${describeAction(s.action)}${notes.length ? `  [${notes.join("; ")}]` : ""}`;
}

/** The newest diagnosis recorded for the incident (and the incident itself, when recorded). */
function inputFromLedger(ledger: SqliteLedger, id: string, hypothesis: number, db: string): PlaybookInput {
  const entries = ledger.byIncident(id);
  const diagnosis = readPayloads(entries, GRAPH.diagnosis).pop()?.payload;
  if (!diagnosis) throw new Error(`the ledger ${db} has no diagnosis for incident ${id}; list what it has with: stratus ledger list --incident ${id} --db ${db}`);
  const incident = readPayloads(entries, GRAPH.incident).pop()?.payload.incident;
  return inputFrom(diagnosis, incident ?? { id }, hypothesis);
}

async function watch(dir: string, policy: Policy, io: Io, signal?: AbortSignal): Promise<number> {
  const w = watchPlaybooks(dir, (e) => {
    if (e.type === "rejected") io.err(`rejected ${e.file}${e.kept ? ` (keeping ${e.kept.name} ${e.kept.version})` : ""}:\n${e.error.message}`);
    else if (e.type === "removed") io.out(`removed ${e.playbook.name} (${e.file})`);
    else if (e.type === "lock") io.err(`lock ${e.status}: ${e.message}`);
    else io.out(`${e.type} ${e.playbook.name} ${e.playbook.version} ${e.playbook.source.digest.slice(0, 19)} (${e.file})`);
  }, { policy });
  if (w.lock().status === "absent") io.err(`lock absent: ${w.lock().message}`);
  io.out(`watching ${dir}: ${w.playbooks().length} playbooks in force`);
  await new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    signal?.addEventListener("abort", () => resolve(), { once: true });
    if (!signal) process.once("SIGINT", () => resolve());
  });
  w.close();
  return 0;
}

function table(header: string[], rows: string[][], io: Io): void {
  const cut = (c: string, i: number) => (i < header.length - 1 && c.length > 40 ? `${c.slice(0, 39)}…` : c);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => cut(r[i], i).length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : cut(c, i).padEnd(widths[i]))).join("  ");
  io.out(line(header));
  for (const r of rows) io.out(line(r));
}

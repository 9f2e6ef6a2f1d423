/**
 * Web UI benchmark: a ledger of 100,000 entries (5,000 incidents of 20 entries each, written the
 * way the graph and the transaction write theirs: incident, diagnosis, plan, approval, a committed
 * transaction with a snapshot, an action carrying the written object, health before and after),
 * served by `uiRoutes` on a local HTTP server; measures the time to the full response of the
 * incidents list's first page, of a deep page, of a filtered list, and of one incident's page
 * (timeline, diff, chart). Figures are medians of `runs` requests after one cold request (also
 * reported). `benchUi()` returns them; run the file directly to print them
 * (`npx tsx bench/ui.bench.ts [--incidents N]`).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { openLedger, type LedgerWriter } from "../src/core/ledger/index.ts";
import { uiRoutes, StaticTokenAuthenticator } from "../src/server/ui/index.ts";

export interface BenchUiOptions {
  /** Incidents to write (20 entries each). Default 5,000 → 100,000 entries. */
  incidents?: number;
  /** Timed requests per page after the cold one. Default 20. */
  runs?: number;
  log?: (line: string) => void;
}

const TOKEN = "bench-token-0123456789abcdef";
const PER_INCIDENT = 20;

function writeIncident(tx: LedgerWriter, i: number): void {
  const id = `INC-${String(i).padStart(5, "0")}`;
  const txId = `${id}-tx1`;
  const ns = ["hotel-reservation", "social-network", "shop"][i % 3];
  const name = `svc-${i % 17}`;
  const ref = { kind: "Deployment", namespace: ns, name };
  const dep = (image: string) => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: ns }, spec: { replicas: 2, template: { spec: { containers: [{ name, image, env: [{ name: "MODE", value: "prod" }] }] } } } });
  const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  const incident = { id, namespace: ns, openedAt: at, onsetAt: at, severity: "critical", symptoms: [`container-states:${ns}/${name}`], affected: [name], evidence: [{ source: "pod-status", fact: `${name} waiting: ImagePullBackOff` }], fingerprint: `${ns}/${name}` };
  const g = { incidentId: id };
  tx.append({ ...g, kind: "incident", actor: "agent:detection", payload: { step: "incident", incident, baselineReplicas: { [`${ns}/${name}`]: 2 } } });
  tx.append({ ...g, kind: "diagnosis", actor: "agent:diagnosis", payload: { step: "diagnosis", diagnosis: { incidentId: id, path: [name], reasoner: "embedded", hypotheses: [{ rootCause: ref, layer: "virtualization", type: "operation-error", summary: `${name} runs an image that cannot be pulled`, confidence: 0.9, evidence: incident.evidence, facts: {} }] } } });
  tx.append({ ...g, kind: "plan", actor: "agent:mitigation", objectRefs: [ref], payload: { step: "plan:1", attempt: 1, digest: `sha256:${"a".repeat(64)}`, plan: {}, lines: [`rollout-undo: roll Deployment ${ns}/${name} back`], hypothesis: "bad image", rationale: "bench" } });
  tx.append({ ...g, kind: "approval", actor: "core:policy", payload: { step: "approval-request:1", phase: "requested", attempt: 1, digest: `sha256:${"a".repeat(64)}`, reasons: ["medium risk"], personRequired: true } });
  tx.append({ ...g, kind: "approval", actor: "person:alice", payload: { step: "approval-decision:1", phase: "decision", attempt: 1, digest: `sha256:${"a".repeat(64)}`, decision: "approved", by: "alice" } });
  const t = { ...g, txId, actor: "core:transaction" };
  tx.append({ ...t, kind: "lock", payload: { outcome: "acquired", identity: "bench" } });
  tx.append({ ...t, kind: "health", payload: { phase: "baseline", severity: 2, failing: [`container-states:${ns}/${name}`], at } });
  tx.append({ ...t, kind: "transaction", objectRefs: [ref], payload: { phase: "intent", kind: "mitigation", actor: "agent:mitigation", plan: {}, digest: `sha256:${"a".repeat(64)}`, stages: [["undo"]], steps: [{ id: "undo", what: "rollout-undo" }] } });
  tx.append({ ...t, kind: "snapshot", objectRefs: [ref], payload: { ref: { apiVersion: "apps/v1", ...ref }, object: dep("img:bad") } });
  tx.append({ ...t, kind: "action", payload: { stepId: "undo", ok: true, applied: true, attempts: 1, summary: "rollout-undo", outputs: { summary: "ok", objects: [{ ref: `Deployment ${ns}/${name}`, resourceVersion: "2", generation: 2, stateDigest: "sha256:x", object: dep("img:good") }] } } });
  for (let k = 0; k < 7; k++) tx.append({ ...t, kind: "note", payload: { phase: "progress", message: `waiting for rollout (${k})` } });
  tx.append({ ...t, kind: "health", payload: { phase: "verify", severity: 0, failing: [], at, verdict: { phase: "Successful", reason: "health improved" } } });
  tx.append({ ...t, kind: "commit", objectRefs: [ref], payload: { final: true, verdict: { phase: "Successful", reason: "health improved" }, severityBefore: 2, severityAfter: 0 } });
  tx.append({ ...g, kind: "note", actor: "graph:incident", payload: { step: "closed", phase: "closed", status: "resolved", reason: "committed" } });
}

async function timeGet(url: string, runs: number): Promise<{ cold: number; median: number }> {
  const once = async () => {
    const t = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${body.slice(0, 200)}`);
    return performance.now() - t;
  };
  const cold = await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  times.sort((a, b) => a - b);
  return { cold, median: times[Math.floor(times.length / 2)] };
}

export async function benchUi(options: BenchUiOptions = {}): Promise<Record<string, number | string>> {
  const incidents = options.incidents ?? 5_000;
  const runs = options.runs ?? 20;
  const log = options.log ?? (() => {});
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stratus-bench-ui-"));
  const ledger = openLedger({ path: path.join(dir, "ledger.db") });
  try {
    const t0 = performance.now();
    for (let i = 0; i < incidents; i += 500) {
      ledger.transaction((tx) => {
        for (let k = i; k < Math.min(incidents, i + 500); k++) writeIncident(tx, k);
      });
      log(`${Math.min(incidents, i + 500) * PER_INCIDENT} entries`);
    }
    const buildS = (performance.now() - t0) / 1000;
    const route = uiRoutes({ ledger, authenticator: new StaticTokenAuthenticator(TOKEN), verify: () => ledger.verify() });
    const server = createServer((req, res) => void Promise.resolve(route(req, res, new URL(req.url ?? "/", "http://x"))).then((h) => h || res.writeHead(404).end()));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const first = await timeGet(`${base}/ui/incidents`, runs);
      const deep = await timeGet(`${base}/ui/incidents?before=${Math.floor(ledger.count() / 2)}`, runs);
      const filtered = await timeGet(`${base}/ui/incidents?namespace=shop&outcome=resolved`, runs);
      const incident = await timeGet(`${base}/ui/incidents/INC-${String(Math.floor(incidents / 2)).padStart(5, "0")}`, runs);
      return {
        "ledger entries": ledger.count(),
        "build (s)": Number(buildS.toFixed(1)),
        "incidents list, first page (ms, median)": Number(first.median.toFixed(1)),
        "incidents list, first page (ms, cold)": Number(first.cold.toFixed(1)),
        "incidents list, middle page (ms, median)": Number(deep.median.toFixed(1)),
        "incidents list, namespace+outcome filter (ms, median)": Number(filtered.median.toFixed(1)),
        "incident page: timeline, diff, chart (ms, median)": Number(incident.median.toFixed(1)),
        "target": "first page < 300 ms",
      };
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  } finally {
    ledger.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { incidents: { type: "string" } } });
  const figures = await benchUi({ ...(values.incidents ? { incidents: Number(values.incidents) } : {}), log: (l) => process.stderr.write(`${l}\n`) });
  for (const [k, v] of Object.entries(figures)) console.log(`${k}: ${v}`);
}

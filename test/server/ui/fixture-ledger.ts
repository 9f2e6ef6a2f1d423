/**
 * A small ledger written the way the incident graph and the transaction write theirs (through
 * their payload specs, into real SQLite, credentials sealed by the ledger): one incident in
 * namespace `shop` whose transaction rotated a Secret's password and a Deployment's env, and was
 * committed; `extra` more incidents for paging. Used by the route and CLI tests, which need exact
 * content (a secret value to look for) that a run against the sandbox would not give them.
 */
import { openLedger, type SqliteLedger } from "../../../src/core/ledger/index.ts";
import { appendPayload } from "../../../src/core/ledger/payload.ts";
import { TX } from "../../../src/core/transaction-records.ts";
import { GRAPH } from "../../../src/graph/payloads.ts";
import { recordApprovalRequest } from "../../../src/graph/approvals.ts";

export const SECRET_OLD = "hunter2-old-password";
export const SECRET_NEW = "correct-horse-battery";
export const ENV_SECRET = "s3cr3t-env-value-42";
export const INCIDENT = "INC-shop-1";
export const HELD = "INC-shop-held";
export const TXID = `${INCIDENT}-tx1`;
export const XSS = `<script>alert("x")</script>`;

const b64 = (s: string) => Buffer.from(s).toString("base64");

const incident = (id: string, namespace: string, symptom: string) => ({
  id, namespace, openedAt: "2026-01-01T00:00:00.000Z", onsetAt: "2026-01-01T00:00:00.000Z", severity: "critical" as const,
  symptoms: [symptom], affected: ["api"], evidence: [{ source: "pod-status" as const, fact: `api is failing ${XSS}` }], fingerprint: `${namespace}/api-${id}`,
});

const secret = (password: string) => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "shop", resourceVersion: "10" }, type: "Opaque", data: { password: b64(password), user: b64("app") } });
const deploy = (image: string, env: string) => ({
  apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "api", namespace: "shop", resourceVersion: "20", generation: 2 },
  spec: { replicas: 2, template: { spec: { containers: [{ name: "api", image, env: [{ name: "DB_PASSWORD", value: env }, { name: "MODE", value: "prod" }] }] } } },
  status: { availableReplicas: 0 },
});

export function writeFixtureLedger(path: string, extra = 0): SqliteLedger {
  let t = Date.parse("2026-01-01T00:00:00.000Z");
  const ledger = openLedger({ path, now: () => (t += 1000) });
  const base = { actor: "core:transaction", incidentId: INCIDENT, txId: TXID };
  appendPayload(ledger, GRAPH.incident, { actor: "agent:detection", incidentId: INCIDENT }, { step: "incident", incident: incident(INCIDENT, "shop", `container-states:shop/api ${XSS}`), baselineReplicas: {} });
  appendPayload(ledger, GRAPH.diagnosis, { actor: "agent:diagnosis", incidentId: INCIDENT }, { step: "diagnosis", diagnosis: { incidentId: INCIDENT, path: ["api"], reasoner: "embedded", hypotheses: [
    { rootCause: { kind: "Secret", namespace: "shop", name: "db" }, layer: "application", type: "authentication", summary: "the db password in Secret db is wrong", confidence: 0.8, evidence: [{ source: "log", fact: "auth failed for user app" }], facts: {} },
    { rootCause: { kind: "Deployment", namespace: "shop", name: "api" }, layer: "application", type: "misconfiguration", summary: "api's env is stale", confidence: 0.3, evidence: [], facts: {} },
  ] } });
  appendPayload(ledger, TX.health, base, { phase: "baseline", severity: 3, failing: ["container-states:shop/api", "availability:shop/api"], at: "2026-01-01T00:00:05.000Z" });
  appendPayload(ledger, TX.intent, base, { phase: "intent", kind: "mitigation", actor: "agent:mitigation", plan: {}, digest: `sha256:${"a".repeat(64)}`, stages: [["rotate"]], steps: [{ id: "rotate", what: "set Secret shop/db password" }] });
  appendPayload(ledger, TX.snapshot, { ...base, objectRefs: [{ kind: "Secret", namespace: "shop", name: "db" }] }, { ref: { apiVersion: "v1", kind: "Secret", namespace: "shop", name: "db" }, object: secret(SECRET_OLD) });
  appendPayload(ledger, TX.snapshot, { ...base, objectRefs: [{ kind: "Deployment", namespace: "shop", name: "api" }] }, { ref: { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "api" }, object: deploy("api:1", ENV_SECRET) });
  ledger.append({ ...base, kind: "action", payload: { stepId: "rotate", ok: true, applied: true, attempts: 1, summary: "set Secret shop/db password", outputs: { summary: "ok", objects: [
    { ref: "Secret shop/db", resourceVersion: "11", generation: null, stateDigest: "sha256:x", object: secret(SECRET_NEW) },
    { ref: "Deployment shop/api", resourceVersion: "21", generation: 3, stateDigest: "sha256:y", object: deploy("api:2", ENV_SECRET) },
  ] } } });
  appendPayload(ledger, TX.health, base, { phase: "verify", severity: 0, failing: [], at: "2026-01-01T00:01:00.000Z", verdict: { phase: "Successful", reason: "health improved (severity 3 → 0)" } });
  appendPayload(ledger, TX.commit, base, { final: true, verdict: { phase: "Successful", reason: "health improved (severity 3 → 0)" }, severityBefore: 3, severityAfter: 0 });
  ledger.append({ kind: "note", actor: "graph:incident", incidentId: INCIDENT, payload: { step: "closed", phase: "closed", status: "resolved", reason: "committed" } });
  // One incident held for a person.
  appendPayload(ledger, GRAPH.incident, { actor: "agent:detection", incidentId: HELD }, { step: "incident", incident: incident(HELD, "shop", "availability:shop/api"), baselineReplicas: {} });
  ledger.append({ kind: "plan", actor: "agent:mitigation", incidentId: HELD, payload: { step: "plan:1", attempt: 1, digest: `sha256:${"b".repeat(64)}`, plan: {}, lines: ["scale Deployment shop/api to 3"], hypothesis: "too few replicas", rationale: "test" } });
  recordApprovalRequest(ledger, HELD, { attempt: 1, digest: `sha256:${"b".repeat(64)}`, reasons: ["medium-risk action needs approval"] });
  for (let i = 0; i < extra; i++) {
    const id = `INC-bulk-${String(i).padStart(3, "0")}`;
    appendPayload(ledger, GRAPH.incident, { actor: "agent:detection", incidentId: id }, { step: "incident", incident: incident(id, i % 2 ? "hotel" : "social", "availability:x/y"), baselineReplicas: {} });
  }
  return ledger;
}

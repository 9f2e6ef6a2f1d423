/**
 * The watchdog's HTTP servers: the metrics listener with the Stratus series in Prometheus text; the
 * API with /healthz and /readyz (503 with reasons until ready), Alertmanager webhook intake
 * validated with zod, the ledger API and approvals — each refusing bad input with a message that
 * says what to send. Route mechanics here use a small RequestAuthenticator of fixed tokens (the
 * contract); test/server/kube-auth.test.ts runs the real one against the sandbox's TokenReview/SAR.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { openLedger, type SqliteLedger } from "../../src/core/ledger/index.ts";
import { StratusError } from "../../src/base/errors.ts";
import { AlertStore, StratusMetrics, startMetricsServer, startServer, parseListen, type RunningServer } from "../../src/server/index.ts";
import { fixedTokens } from "./fixed-tokens.ts";
import type { TransactionResult } from "../../src/core/transaction.ts";

const webhook = (status: "firing" | "resolved", name = "HighErrorRate") => ({
  version: "4", groupKey: "{}:{alertname=\"x\"}", status, receiver: "stratus",
  groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: "http://alertmanager",
  alerts: [{ status, labels: { alertname: name, namespace: "hotel-reservation", service: "rate" }, annotations: { summary: "rate fails" }, startsAt: "2026-01-01T00:00:00Z", endsAt: "0001-01-01T00:00:00Z", generatorURL: "", fingerprint: `fp-${name}` }],
});

const TOKEN = "test-alert-token-0123456789abcdef";

describe("watchdog HTTP server", () => {
  let srv: RunningServer;
  let metricsSrv: RunningServer;
  let ledger: SqliteLedger;
  let ready = false;
  let alertsSeen = 0;
  const metrics = new StratusMetrics();
  const alerts = new AlertStore();
  const approvals: Array<[string, unknown]> = [];

  before(async () => {
    ledger = openLedger({ path: join(mkdtempSync(join(tmpdir(), "stratus-server-")), "ledger.db") });
    ledger.append({ kind: "incident", actor: "agent:detection", incidentId: "INC-1", payload: { step: "incident" } });
    ledger.append({ kind: "diagnosis", actor: "agent:diagnosis", incidentId: "INC-1", payload: {} });
    ledger.append({ kind: "incident", actor: "agent:detection", incidentId: "INC-2", payload: {} });
    metricsSrv = await startMetricsServer("127.0.0.1:0", metrics);
    srv = await startServer("127.0.0.1:0", {
      alerts, ledger,
      authenticator: fixedTokens({ "alice-token": { username: "alice", groups: ["ops"], may: ["read", "approve"] } }),
      readiness: () => (ready ? { ready: true, reasons: [] } : { ready: false, reasons: ["informers not synced"] }),
      incidents: () => [{ id: "INC-1", status: "awaiting-approval" }],
      onAlerts: () => alertsSeen++,
      alertToken: TOKEN,
      approve: async (id, body) => {
        if (id !== "INC-1") throw new StratusError("INVALID_INPUT", `incident ${id} is not waiting for an approval`);
        approvals.push([id, body]);
        return { incident: id, status: "resolved" };
      },
    });
  });
  after(async () => {
    await srv.close();
    await metricsSrv.close();
    ledger.close();
  });

  const get = (path: string, token = "alice-token") => fetch(`${srv.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const post = (path: string, body: unknown, token = path === "/alerts" ? TOKEN : "alice-token") => fetch(`${srv.url}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: typeof body === "string" ? body : JSON.stringify(body) });

  it("serves /metrics with incidents, transactions by outcome, rollbacks, times, severity and tokens", async () => {
    const at = "2026-01-01T00:00:00Z";
    metrics.onGraphEvent({ type: "detected", incident: { id: "INC-9", namespace: "hotel-reservation", openedAt: "2026-01-01T00:00:30Z", onsetAt: at, severity: "critical", symptoms: ["x"], affected: [], evidence: [], fingerprint: "f" } });
    const rolled = { txId: "t1", outcome: "rolled-back", reason: "", steps: [], restored: [] } as TransactionResult;
    metrics.onGraphEvent({ type: "transaction", incidentId: "INC-9", result: rolled });
    metrics.onGraphEvent({ type: "transaction", incidentId: "INC-9", result: { ...rolled, outcome: "committed" } });
    metrics.onGraphEvent({ type: "resolved", incidentId: "INC-9", txId: "t2", reason: "ok" });
    metrics.healthSeverity.set(3);
    metrics.onLlmCall({ agent: "diagnosis", reasoner: "llm", tokens: { input: 120, output: 30 } });
    const res = await fetch(`${metricsSrv.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /text\/plain/);
    const text = await res.text();
    assert.match(text, /stratus_incidents_total\{namespace="hotel-reservation"\} 1/);
    assert.match(text, /stratus_transactions_total\{outcome="rolled-back"\} 1/);
    assert.match(text, /stratus_transactions_total\{outcome="committed"\} 1/);
    assert.match(text, /stratus_rollbacks_total 1/);
    assert.match(text, /stratus_time_to_detect_seconds_sum 30/);
    assert.match(text, /stratus_time_to_mitigate_seconds_count 1/);
    assert.match(text, /stratus_health_severity 3/);
    assert.match(text, /stratus_llm_tokens_total\{agent="diagnosis",direction="input"\} 120/);
  });

  it("answers /healthz always and /readyz only once ready", async () => {
    assert.equal((await get("/healthz")).status, 200);
    const notReady = await get("/readyz");
    assert.equal(notReady.status, 503);
    assert.deepEqual((await notReady.json()).reasons, ["informers not synced"]);
    ready = true;
    assert.equal((await get("/readyz")).status, 200);
  });

  it("takes Alertmanager webhooks, keeps firing alerts, drops resolved ones, refuses bad payloads", async () => {
    const r = await post("/alerts", webhook("firing"));
    assert.equal(r.status, 202);
    assert.deepEqual(await r.json(), { accepted: 1, firing: 1 });
    assert.equal(alerts.firing()[0].name, "HighErrorRate");
    assert.equal(alerts.firing()[0].source, "intake");
    assert.equal(alertsSeen, 1);
    await post("/alerts", webhook("resolved"));
    assert.equal(alerts.firing().length, 0);

    const bad = await post("/alerts", { status: "firing", alerts: [{ status: "firing", labels: {} }] });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(await bad.json()), /alertname is required/);
    assert.equal((await post("/alerts", "{not json")).status, 400);
    assert.equal((await post("/alerts", "x".repeat(1024 * 1024 + 10))).status, 413);
  });

  it("serves the ledger by incident, kind and page, and refuses bad queries", async () => {
    const r = await get("/api/ledger?incident=INC-1");
    assert.equal(r.status, 200);
    const body = await r.json();
    assert.deepEqual(body.entries.map((e: { kind: string }) => e.kind), ["incident", "diagnosis"]);
    const page = await (await get("/api/ledger?kind=incident&limit=1")).json();
    assert.equal(page.count, 1);
    assert.match(page.next, /^after=\d+$/);
    const bad = await get("/api/ledger?kind=bogus&limit=0");
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(await bad.json()), /not a ledger entry kind/);
    assert.equal((await get("/api/ledger?color=blue")).status, 400);
  });

  it("takes approvals for a waiting incident and says when nothing waits", async () => {
    const ok = await post("/approvals/INC-1", { by: "alice", note: "fine" });
    assert.equal(ok.status, 200);
    assert.deepEqual(approvals[0], ["INC-1", { by: "alice", reject: false, note: "fine", identity: { username: "alice", groups: ["ops"] } }]);
    const none = await post("/approvals/INC-2", {});
    assert.equal(none.status, 409);
    assert.match((await none.json()).error, /not waiting/);
    assert.equal((await post("/approvals/INC-1", { who: "alice" })).status, 400);
    assert.deepEqual(await (await get("/api/incidents")).json(), { incidents: [{ id: "INC-1", status: "awaiting-approval" }] });
  });

  it("says what exists for unknown routes and methods", async () => {
    assert.equal((await get("/nope")).status, 404);
    assert.equal((await post("/api/ledger", {})).status, 405);
    assert.deepEqual(parseListen("127.0.0.1:9464"), { host: "127.0.0.1", port: 9464 });
    assert.deepEqual(parseListen("9464"), { host: "127.0.0.1", port: 9464 });
    assert.throws(() => parseListen("localhost"), /HOST:PORT/);
  });
});

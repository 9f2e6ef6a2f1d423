/**
 * How the API routes use the authenticator: 401 without credentials (with a bearer challenge and a
 * JSON body saying what to send), 403 without permission, the approval recorded under the
 * authenticated identity (a `by` naming someone else is refused), the incident's namespace passed
 * as the scope, the session cookie honoured but not from another origin, health open to all, and
 * /metrics only on the metrics listener.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { openLedger, type SqliteLedger } from "../../src/core/ledger/index.ts";
import { decisionFor, recordApprovalRequest, recordDecision, type ApprovalBody } from "../../src/graph/approvals.ts";
import { AlertStore, StratusMetrics, SESSION_COOKIE, metricsListenFor, sessionCookie, startMetricsServer, startServer, type AccessScope, type AccessVerb, type RunningServer } from "../../src/server/index.ts";
import { fixedTokens } from "./fixed-tokens.ts";

const DIGEST = `sha256:${"a".repeat(64)}`;

describe("API authentication and authorization", () => {
  let ledger: SqliteLedger;
  let api: RunningServer;
  let metricsSrv: RunningServer;
  const asked: Array<{ verb: AccessVerb; scope: AccessScope }> = [];

  before(async () => {
    ledger = openLedger({ path: join(mkdtempSync(join(tmpdir(), "stratus-api-auth-")), "ledger.db") });
    for (const [id, ns] of [["INC-SHOP", "shop"], ["INC-PAY", "payments"]]) {
      ledger.append({ kind: "incident", actor: "agent:detection", incidentId: id, payload: { step: "incident", incident: { id, namespace: ns } } });
      recordApprovalRequest(ledger, id, { attempt: 1, digest: DIGEST, reasons: ["high risk"] });
    }
    const metrics = new StratusMetrics(Date.now, { processMetrics: false });
    metricsSrv = await startMetricsServer("127.0.0.1:0", metrics);
    api = await startServer("127.0.0.1:0", {
      alerts: new AlertStore(), ledger, readiness: () => ({ ready: true, reasons: [] }),
      // The book knows INC-SHOP; INC-PAY's namespace comes from its ledger entry.
      incidents: () => [{ id: "INC-SHOP", namespace: "shop", status: "awaiting-approval" }, { id: "INC-WEB", namespace: "web", status: "running" }],
      authenticator: fixedTokens({
        "admin-token": { username: "admin", groups: ["system:masters"], may: ["read", "approve"] },
        "viewer-token": { username: "viewer", may: ["read"] },
        "nobody-token": { username: "nobody", may: [] },
        "shop-approver": { username: "system:serviceaccount:shop:oncall", groups: ["system:serviceaccounts"], may: ["read", "approve"], namespaces: ["shop"] },
      }, asked),
      approve: async (id: string, body: ApprovalBody) => {
        const { attempt, decision } = recordDecision(ledger, id, body);
        return { incident: id, attempt, decision: decision.approved ? "approved" : "rejected", by: decision.by };
      },
    });
  });
  after(async () => {
    await api.close();
    await metricsSrv.close();
    ledger.close();
  });

  const approve = (id: string, body: unknown, headers: Record<string, string>) =>
    fetch(`${api.url}/approvals/${id}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

  it("refuses an approval without credentials: 401, a bearer challenge, JSON that says what to send, nothing recorded", async () => {
    const r = await approve("INC-SHOP", { by: "anyone" }, {});
    assert.equal(r.status, 401);
    assert.match(r.headers.get("www-authenticate") ?? "", /^Bearer realm=/);
    const body = await r.json();
    assert.match(body.hint, /Authorization: Bearer TOKEN/);
    assert.equal((await approve("INC-SHOP", {}, bearer("forged"))).status, 401);
    assert.equal((await approve("INC-SHOP", {}, { authorization: "Basic YWRtaW46YWRtaW4=" })).status, 401, "another scheme is not a credential");
    assert.equal(decisionFor(ledger, "INC-SHOP", 1), undefined);
  });

  it("refuses an approval by someone who may only read: 403 with what to bind", async () => {
    const r = await approve("INC-SHOP", {}, bearer("viewer-token"));
    assert.equal(r.status, 403);
    const body = await r.json();
    assert.match(body.error, /viewer/);
    assert.match(body.hint, /bind/);
    assert.equal(decisionFor(ledger, "INC-SHOP", 1), undefined);
  });

  it("asks about the incident's namespace, so a namespaced approver decides there and only there", async () => {
    asked.length = 0;
    const elsewhere = await approve("INC-PAY", {}, bearer("shop-approver"));
    assert.equal(elsewhere.status, 403);
    assert.deepEqual(asked.at(-1), { verb: "approve", scope: { incident: "INC-PAY", namespace: "payments" } }, "namespace read from the ledger");
    assert.equal(decisionFor(ledger, "INC-PAY", 1), undefined);
  });

  it("refuses a body whose `by` names someone else, and records the authenticated identity, not a typed name", async () => {
    const lie = await approve("INC-SHOP", { by: "alice" }, bearer("shop-approver"));
    assert.equal(lie.status, 400);
    assert.match((await lie.json()).error, /names alice, but your credentials are system:serviceaccount:shop:oncall's/);
    const ok = await approve("INC-SHOP", { note: "looked at the diff" }, bearer("shop-approver"));
    assert.equal(ok.status, 200);
    assert.equal((await ok.json()).by, "system:serviceaccount:shop:oncall");
    assert.deepEqual(asked.at(-1), { verb: "approve", scope: { incident: "INC-SHOP", namespace: "shop" } });
    const entry = ledger.query({ incidentId: "INC-SHOP", kind: "approval" }).find((e) => e.payload.phase === "decision")!;
    assert.equal(entry.actor, "person:system:serviceaccount:shop:oncall");
    assert.equal(entry.payload.by, "system:serviceaccount:shop:oncall");
    assert.deepEqual(entry.payload.identity, { username: "system:serviceaccount:shop:oncall", groups: ["system:serviceaccounts"] });
    assert.equal(entry.payload.note, "looked at the diff");
  });

  it("takes the web UI's session cookie from its own origin, and refuses it from another", async () => {
    assert.match(sessionCookie("admin-token"), /^stratus_token=admin-token; Path=\/; HttpOnly; SameSite=Strict$/);
    const cookie = { cookie: `theme=dark; ${SESSION_COOKIE}=admin-token` };
    const cross = await approve("INC-PAY", {}, { ...cookie, origin: "https://evil.example" });
    assert.equal(cross.status, 403);
    assert.match((await cross.json()).error, /cross-origin/);
    assert.equal(decisionFor(ledger, "INC-PAY", 1), undefined);
    const same = await approve("INC-PAY", { reject: true }, { ...cookie, origin: api.url });
    assert.equal(same.status, 200);
    assert.equal(decisionFor(ledger, "INC-PAY", 1)?.approved, false);
    assert.equal((await fetch(`${api.url}/api/incidents`, { headers: cookie })).status, 200, "reads with the cookie");
  });

  it("serves the ledger and incidents only to readers; /healthz and /readyz to all", async () => {
    const anon = await fetch(`${api.url}/api/ledger?incident=INC-SHOP`);
    assert.equal(anon.status, 401);
    assert.match(anon.headers.get("www-authenticate") ?? "", /Bearer/);
    assert.equal((await fetch(`${api.url}/api/incidents`)).status, 401);
    assert.equal((await fetch(`${api.url}/api/ledger?incident=INC-SHOP`, { headers: bearer("viewer-token") })).status, 200);
    asked.length = 0;
    assert.equal((await fetch(`${api.url}/api/ledger`, { headers: bearer("shop-approver") })).status, 403, "the whole ledger is cluster-scoped");
    assert.deepEqual(asked, [{ verb: "read", scope: {} }]);
    assert.equal((await fetch(`${api.url}/api/ledger?incident=INC-SHOP`, { headers: bearer("shop-approver") })).status, 200, "its own namespace's incident");
    assert.equal((await fetch(`${api.url}/api/ledger?incident=INC-SHOP&incident=INC-PAY`, { headers: bearer("shop-approver") })).status, 400, "a repeated parameter is refused, not guessed");
    assert.equal((await fetch(`${api.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${api.url}/readyz`)).status, 200);
  });

  it("lists every incident to a cluster-wide reader, only its namespaces' to a namespaced one, none to others", async () => {
    const list = async (t: string) => {
      const r = await fetch(`${api.url}/api/incidents`, { headers: bearer(t) });
      return { status: r.status, ids: r.status === 200 ? (await r.json()).incidents.map((i: { id: string }) => i.id) : [] };
    };
    assert.deepEqual(await list("viewer-token"), { status: 200, ids: ["INC-SHOP", "INC-WEB"] });
    assert.deepEqual(await list("shop-approver"), { status: 200, ids: ["INC-SHOP"] });
    assert.equal((await list("nobody-token")).status, 403);
    assert.equal((await list("forged")).status, 401);
  });

  it("serves /metrics only on the metrics listener, and the API's /metrics says where it went", async () => {
    const m = await fetch(`${metricsSrv.url}/metrics`);
    assert.equal(m.status, 200);
    assert.match(await m.text(), /stratus_/);
    const onApi = await fetch(`${api.url}/metrics`, { headers: bearer("admin-token") });
    assert.equal(onApi.status, 404);
    assert.match((await onApi.json()).hint, /--metrics-listen/);
    for (const path of ["/api/ledger", "/api/incidents", "/approvals/INC-SHOP", "/alerts"]) {
      const r = await fetch(`${metricsSrv.url}${path}`, { headers: bearer("admin-token") });
      assert.equal(r.status, 404, `${path} is not on the metrics listener`);
    }
    assert.equal((await fetch(`${metricsSrv.url}/metrics`, { method: "POST", body: "x" })).status, 405);
  });

  it("keeps the two listeners apart: a shared port, or the API on the metrics port, is refused at start", () => {
    assert.equal(metricsListenFor(undefined, undefined), undefined);
    assert.equal(metricsListenFor("127.0.0.1:8080", undefined), "127.0.0.1:9464");
    assert.equal(metricsListenFor("0.0.0.0:8080", undefined), "0.0.0.0:9464");
    assert.equal(metricsListenFor("127.0.0.1:0", undefined), "127.0.0.1:0");
    assert.equal(metricsListenFor("127.0.0.1:8080", "off"), undefined);
    assert.equal(metricsListenFor(undefined, "127.0.0.1:9100"), "127.0.0.1:9100");
    assert.throws(() => metricsListenFor("127.0.0.1:9464", undefined), /metrics port.*--listen 127\.0\.0\.1:8080/);
    assert.throws(() => metricsListenFor("0.0.0.0:8080", "127.0.0.1:8080"), /share a port/);
  });
});

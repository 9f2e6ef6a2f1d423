/**
 * The web UI's routes over HTTP, on a ledger written as the graph and the transaction write theirs:
 * secrets never appear (sealed snapshot and written object, env values named like passwords) while
 * a changed secret still shows as changed; everything is escaped; the list pages (100+ incidents)
 * and filters; every malformed request to every route gets a 4xx page, crashes nothing and writes
 * nothing; decisions need the approve verb, this origin and a waiting plan; a tampered chain names
 * its first bad entry. Authentication here is a fixed token table (route mechanics only); the real
 * cluster-backed authenticator is exercised by browser.test.ts.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import type { SqliteLedger } from "../../../src/core/ledger/index.ts";
import { recordDecision, type ApprovalBody } from "../../../src/graph/approvals.ts";
import { uiRoutes } from "../../../src/server/ui/index.ts";
import { fixedTokens } from "../fixed-tokens.ts";
import { ENV_SECRET, HELD, INCIDENT, SECRET_NEW, SECRET_OLD, writeFixtureLedger } from "./fixture-ledger.ts";

const READER = "reader-token-0123456789";
const APPROVER = "approver-token-0123456789";

describe("web UI routes", () => {
  let dir: string;
  let ledger: SqliteLedger;
  let server: Server;
  let url: string;
  const decided: ApprovalBody[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "stratus-ui-routes-"));
    ledger = writeFixtureLedger(join(dir, "ledger.db"), 110);
    const route = uiRoutes({
      ledger,
      authenticator: fixedTokens({ [READER]: { username: "rita", may: ["read"] }, [APPROVER]: { username: "alice", may: ["read", "approve"], namespaces: ["shop"] } }),
      approve: async (id, body) => {
        decided.push(body);
        return recordDecision(ledger, id, body) as unknown as Record<string, unknown>;
      },
      verify: () => ledger.verify(),
      livePollMs: 50,
    });
    server = createServer((req, res) => {
      Promise.resolve(route(req, res, new URL(req.url ?? "/", "http://x"))).then((handled) => {
        if (!handled) res.writeHead(404).end();
      }, (e) => res.writeHead(500).end(String(e)));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, token = READER, headers: Record<string, string> = {}) => fetch(`${url}${path}`, { redirect: "manual", headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  const post = (path: string, body: string, headers: Record<string, string>) => fetch(`${url}${path}`, { method: "POST", redirect: "manual", body, headers });
  const form = { "content-type": "application/x-www-form-urlencoded" };

  it("shows the transaction's diffs without a secret value, a changed secret as changed, and escapes everything", async () => {
    const res = await get(`/ui/incidents/${INCIDENT}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'none'; script-src 'self'/);
    const page = await res.text();
    for (const secret of [SECRET_OLD, SECRET_NEW, ENV_SECRET, Buffer.from(SECRET_OLD).toString("base64"), Buffer.from(SECRET_NEW).toString("base64")]) {
      assert.ok(!page.includes(secret), `the page does not carry ${secret}`);
    }
    const diff = /<div class="diff" data-object="Secret shop\/db">([\s\S]*?)<\/div>/.exec(page)?.[1] ?? "";
    const minus = /<span class="del">-\s+password: &lt;redacted&gt; fp:([0-9a-f]+)<\/span>/.exec(diff);
    const plus = /<span class="add">\+\s+password: &lt;redacted&gt; fp:([0-9a-f]+)<\/span>/.exec(diff);
    assert.ok(minus && plus && minus[1] !== plus[1], `the password line changed, as fingerprints:\n${diff}`);
    assert.ok(!/[-+]\s+user:/.test(diff.replace(/<[^>]+>/g, "")), "the unchanged key is not a change");
    const dep = /<div class="diff" data-object="Deployment shop\/api">([\s\S]*?)<\/div>/.exec(page)?.[1] ?? "";
    assert.match(dep, /<span class="del">-\s+image: api:1<\/span>/);
    assert.match(dep, /<span class="add">\+\s+image: api:2<\/span>/);
    assert.ok(!/status|availableReplicas|resourceVersion/.test(dep), "status and bookkeeping are not part of the diff");
    assert.ok(!page.includes("<script>alert"), "no markup from the ledger");
    assert.match(page, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
    assert.match(page, /data-rank="1"><b>the db password in Secret db is wrong<\/b>/);
    assert.match(page, /data-rank="2"><b>api&#39;s env is stale<\/b>/);
    const entry = await (await get("/ui/entries/5")).text();
    assert.ok(!entry.includes(SECRET_OLD) && !entry.includes(Buffer.from(SECRET_OLD).toString("base64")), "a raw snapshot entry is redacted too");
  });

  it("pages the incidents list newest first and filters it", async () => {
    const first = await (await get("/ui/incidents")).text();
    const ids = [...first.matchAll(/<tr data-incident="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(ids.length, 25);
    assert.equal(ids[0], "INC-bulk-109");
    const next = /<a rel="next" href="([^"]+)"/.exec(first)?.[1].replace(/&amp;/g, "&");
    assert.ok(next);
    const second = await (await get(next)).text();
    assert.equal([...second.matchAll(/<tr data-incident="([^"]+)"/g)][0][1], "INC-bulk-084");
    const shop = await (await get("/ui/incidents?namespace=shop")).text();
    assert.deepEqual([...shop.matchAll(/<tr data-incident="([^"]+)"/g)].map((m) => m[1]), [HELD, INCIDENT]);
    const resolved = await (await get("/ui/incidents?outcome=resolved")).text();
    assert.deepEqual([...resolved.matchAll(/<tr data-incident="([^"]+)"/g)].map((m) => m[1]), [INCIDENT]);
    const about = await (await get("/ui/incidents?object=Secret/shop/db&namespace=")).text();
    assert.deepEqual([...about.matchAll(/<tr data-incident="([^"]+)"/g)].map((m) => m[1]), [INCIDENT]);
    const none = await (await get("/ui/incidents?until=2025-01-01T00:00:00Z")).text();
    assert.match(none, /No incidents match/);
  });

  it("answers every malformed request with a 4xx page, writes nothing, and keeps serving", async () => {
    const before = ledger.count();
    const cases: Array<[string, Promise<Response>, number]> = [
      ["unknown filter", get("/ui/incidents?color=blue"), 400],
      ["bad namespace", get("/ui/incidents?namespace=Not_A_Namespace"), 400],
      ["bad page", get("/ui/incidents?before=-3"), 400],
      ["bad time", get("/ui/incidents?since=yesterday"), 400],
      ["bad outcome", get("/ui/incidents?outcome=fine"), 400],
      ["bad object", get("/ui/incidents?object=../../etc"), 400],
      ["bad percent-encoding", get("/ui/incidents/%E0%A4%A"), 400],
      ["control characters in an id", get("/ui/incidents/a%0Ab"), 400],
      ["unknown incident", get("/ui/incidents/INC-none"), 404],
      ["parameters on the incident page", get(`/ui/incidents/${INCIDENT}?x=1`), 400],
      ["unknown entry", get("/ui/entries/999999"), 404],
      ["unknown page", get("/ui/nope"), 404],
      ["parameters on approvals", get("/ui/approvals?all=1"), 400],
      ["bad live filter", get("/ui/events?incident=%3Cx%3E"), 400],
      ["PUT a page", fetch(`${url}/ui/incidents`, { method: "PUT", headers: { authorization: `Bearer ${READER}` } }), 405],
      ["GET a decision", get(`/ui/incidents/${HELD}/decision`), 405],
      ["no token", get("/ui/incidents", "", {}), 303],
      ["a token nobody knows", get("/ui/incidents", "forged-token"), 401],
      ["decide without a token", post(`/ui/incidents/${HELD}/decision`, "decision=approve", form), 401],
      ["decide with read only", post(`/ui/incidents/${HELD}/decision`, "decision=approve", { ...form, authorization: `Bearer ${READER}` }), 403],
      ["decide as JSON", post(`/ui/incidents/${HELD}/decision`, '{"decision":"approve"}', { "content-type": "application/json", authorization: `Bearer ${APPROVER}` }), 415],
      ["decide maybe", post(`/ui/incidents/${HELD}/decision`, "decision=maybe", { ...form, authorization: `Bearer ${APPROVER}` }), 400],
      ["decide twice in one form", post(`/ui/incidents/${HELD}/decision`, "decision=approve&decision=reject", { ...form, authorization: `Bearer ${APPROVER}` }), 400],
      ["decide with extra fields", post(`/ui/incidents/${HELD}/decision`, "decision=approve&by=mallory", { ...form, authorization: `Bearer ${APPROVER}` }), 400],
      ["decide with a huge form", post(`/ui/incidents/${HELD}/decision`, `decision=approve&note=${"x".repeat(64 * 1024)}`, { ...form, authorization: `Bearer ${APPROVER}` }), 413],
      ["decide cross-origin with the cookie", post(`/ui/incidents/${HELD}/decision`, "decision=approve", { ...form, cookie: `stratus_token=${APPROVER}`, origin: "http://evil.example" }), 403],
      ["decide on a resolved incident", post(`/ui/incidents/${INCIDENT}/decision`, "decision=approve", { ...form, authorization: `Bearer ${APPROVER}` }), 409],
      ["log in cross-site", post("/ui/login", "token=abc", { ...form, origin: "http://evil.example" }), 403],
      ["log in with nothing", post("/ui/login", "token=", form), 400],
      ["log in with a cookie-breaking token", post("/ui/login", `token=${encodeURIComponent("a;b=c")}`, form), 400],
      ["log in with a forged token", post("/ui/login", "token=forged", form), 401],
      ["log out by GET", get("/ui/logout"), 405],
    ];
    for (const [what, res, status] of cases) {
      const r = await res;
      assert.equal(r.status, status, `${what}: ${r.status} ${(await r.text()).slice(0, 300)}`);
      if (status !== 303) assert.match(r.headers.get("content-type") ?? "", /text\/html/, what);
      if (r.bodyUsed === false) await r.arrayBuffer();
    }
    assert.equal(ledger.count(), before, "nothing was written");
    assert.equal(decided.length, 1, "only the well-formed, permitted decision reached approve() (it found nothing waiting)");
    assert.equal((await get("/ui/incidents")).status, 200, "still serving");
  });

  it("records a decision from the page under the caller's identity, and only once", async () => {
    const ok = await post(`/ui/incidents/${HELD}/decision`, "decision=reject&note=not+now", { ...form, cookie: `stratus_token=${APPROVER}`, origin: url });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get("location"), `/ui/incidents/${HELD}?done=rejected`);
    const rec = ledger.query({ incidentId: HELD, kind: "approval" }).at(-1)!;
    assert.equal(rec.actor, "person:alice");
    assert.equal(rec.payload.decision, "rejected");
    assert.equal(rec.payload.note, "not now");
    const again = await post(`/ui/incidents/${HELD}/decision`, "decision=approve", { ...form, cookie: `stratus_token=${APPROVER}`, origin: url });
    assert.equal(again.status, 409);
    const approvals = await (await get("/ui/approvals")).text();
    assert.match(approvals, /Nothing is waiting for a person/);
  });

  it("streams new entries as server-sent events", async () => {
    const ctrl = new AbortController();
    const res = await fetch(`${url}/ui/events?incident=${INCIDENT}`, { headers: { authorization: `Bearer ${READER}` }, signal: ctrl.signal });
    assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const reader = res.body!.getReader();
    ledger.append({ kind: "note", actor: "person:alice", incidentId: "INC-other", payload: { message: "not this incident" } });
    ledger.append({ kind: "note", actor: "person:alice", incidentId: INCIDENT, payload: { message: `reviewed; password=${SECRET_NEW}` } });
    let text = "";
    while (!/event: entry/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    ctrl.abort();
    assert.match(text, /"summary":"reviewed; password=<redacted>"/);
    assert.ok(!text.includes("not this incident") && !text.includes(SECRET_NEW));
  });

  it("names the first bad entry of a tampered chain", async () => {
    const db = new Database(ledger.path);
    for (const t of db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger'`).pluck().all() as string[]) db.exec(`DROP TRIGGER ${t}`);
    db.prepare(`UPDATE entries SET payload = replace(payload, 'api', 'APP') WHERE seq = 3`).run();
    db.close();
    const page = await (await get("/ui/verify")).text();
    assert.match(page, /data-verify="bad"/);
    assert.match(page, /the first bad entry is seq <b>3<\/b>/);
  });
});

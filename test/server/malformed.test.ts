/**
 * Bad, huge, malformed and slow requests on every route of the API and the metrics listener: each
 * gets a 4xx (JSON that says what to send), nothing is recorded, nothing crashes, and a client that
 * sends its headers or body too slowly is cut off by the server's timeouts (408 / closed), while
 * /healthz keeps answering.
 */
import { mkdtempSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { openLedger, type SqliteLedger } from "../../src/core/ledger/index.ts";
import { AlertStore, StratusMetrics, startMetricsServer, startServer, type RunningServer } from "../../src/server/index.ts";
import { fixedTokens } from "./fixed-tokens.ts";

const ALERT_TOKEN = "malformed-test-alert-token-51c0";
const MB = 1024 * 1024;

describe("malformed and slow requests", () => {
  let ledger: SqliteLedger;
  let api: RunningServer;
  let metricsSrv: RunningServer;
  const alerts = new AlertStore();
  const decided: unknown[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);

  before(async () => {
    process.on("unhandledRejection", onUnhandled);
    ledger = openLedger({ path: join(mkdtempSync(join(tmpdir(), "stratus-malformed-")), "ledger.db") });
    ledger.append({ kind: "incident", actor: "agent:detection", incidentId: "INC-1", payload: { step: "incident" } });
    const timeouts = { headersMs: 1_000, requestMs: 1_500 };
    api = await startServer("127.0.0.1:0", {
      alerts, ledger, readiness: () => ({ ready: true, reasons: [] }), alertToken: ALERT_TOKEN, timeouts,
      authenticator: fixedTokens({ op: { username: "op", may: ["read", "approve"] } }),
      incidents: () => [],
      approve: async (id, body) => {
        decided.push([id, body]);
        return { incident: id };
      },
    });
    metricsSrv = await startMetricsServer("127.0.0.1:0", new StratusMetrics(Date.now, { processMetrics: false }), timeouts);
  });
  after(async () => {
    process.off("unhandledRejection", onUnhandled);
    await api.close();
    await metricsSrv.close();
    ledger.close();
  });

  const send = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${api.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const routes: Array<[string, Record<string, string>]> = [
    ["/alerts", { authorization: `Bearer ${ALERT_TOKEN}` }],
    ["/approvals/INC-1", { authorization: "Bearer op" }],
  ];

  it("answers 400 to bodies that are not JSON or not the right shape, on every JSON route", async () => {
    const bad = ["{not json", "", "null", "[]", "42", '"text"', "{\"__proto__\": {\"polluted\": true}}", "[".repeat(10_000), '{"reject": "yes"}', `{"note": "${"n".repeat(5_000)}"}`, '{"by": 7}', '{"extra": 1}'];
    for (const [path, headers] of routes) {
      for (const body of bad) {
        const r = await send(path, body, headers);
        assert.equal(r.status, 400, `${path} with ${body.slice(0, 40)} → ${r.status}`);
        const json = await r.json();
        assert.equal(typeof json.error, "string", `${path}: the answer says what is wrong`);
      }
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined, "no prototype pollution");
    assert.equal(decided.length, 0);
    assert.equal(alerts.received, 0);
  });

  it("answers 415 to a body that is not declared JSON, 413 to one too large (declared or streamed)", async () => {
    for (const [path, headers] of routes) {
      const form = await send(path, "by=mallory", { ...headers, "content-type": "application/x-www-form-urlencoded" });
      assert.equal(form.status, 415, `${path}: a form post (what a cross-site page can send) is refused`);
      assert.match((await form.json()).error, /Content-Type: application\/json/);
      assert.equal((await send(path, "{}", { ...headers, "content-type": "text/plain" })).status, 415);
      const huge = await send(path, "x".repeat(2 * MB), headers);
      assert.equal(huge.status, 413, `${path}: declared too large`);
      // Streamed without a Content-Length: refused once the bytes pass the limit.
      const chunk = new Uint8Array(256 * 1024).fill(0x20);
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent >= 8 * MB) return c.close();
          sent += chunk.length;
          c.enqueue(chunk);
        },
      });
      const streamed = await fetch(`${api.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: stream, duplex: "half" } as RequestInit);
      assert.equal(streamed.status, 413, `${path}: streamed too large`);
    }
    assert.equal(decided.length, 0);
  });

  it("answers 4xx to bad queries, targets and methods, on both listeners", async () => {
    const auth = { authorization: "Bearer op" };
    for (const q of ["limit=abc", "limit=0", "limit=1001", "after=-1", "order=up", "kind=x", "since=not-a-time", "incident=", "color=blue", "limit=1&limit=2"]) {
      const r = await fetch(`${api.url}/api/ledger?${q}`, { headers: auth });
      assert.ok(r.status === 400, `/api/ledger?${q} → ${r.status}`);
    }
    assert.equal((await fetch(`${api.url}/approvals/%ZZ`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: "{}" })).status, 400);
    assert.equal((await fetch(`${api.url}/approvals/a/b`, { method: "POST", headers: auth })).status, 404);
    assert.equal((await fetch(`${api.url}/approvals/INC-1`, { headers: auth })).status, 405);
    assert.equal((await fetch(`${api.url}/api/ledger`, { method: "DELETE", headers: auth })).status, 405);
    assert.equal((await fetch(`${metricsSrv.url}/metrics`, { method: "PUT", body: "{}" })).status, 405);
    assert.equal((await rawRequest(api.url, "GARBAGE\r\n\r\n")).status, 400, "a malformed request line");
    assert.equal((await rawRequest(api.url, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"h".repeat(64 * 1024)}\r\n\r\n`)).status, 431, "oversized headers");
    assert.equal((await rawRequest(metricsSrv.url, "GARBAGE\r\n\r\n")).status, 400);
  });

  it("cuts off a client that sends its body or headers too slowly (408, then closed), and keeps serving", async () => {
    const { hostname: host, port } = new URL(api.url);
    // Headers complete, body promised but never finished.
    const slowBody = await openSocket(host, Number(port));
    slowBody.write(`POST /alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ALERT_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"status":`);
    // Headers never finished.
    const slowHeaders = await openSocket(host, Number(port));
    slowHeaders.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    const [a, b] = await Promise.all([untilClosed(slowBody), untilClosed(slowHeaders)]);
    assert.match(a, /^HTTP\/1\.1 408 /, `the slow body got: ${a.slice(0, 40)}`);
    assert.match(b, /^HTTP\/1\.1 408 /, `the slow headers got: ${b.slice(0, 40)}`);
    assert.equal((await fetch(`${api.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${metricsSrv.url}/metrics`)).status, 200);
    assert.equal(alerts.received, 0);
    assert.deepEqual(unhandled, [], "no unhandled rejection");
  });
});

function openSocket(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, host, () => resolve(s));
    s.once("error", reject);
  });
}

/** Everything the server sent until it closed the connection (a bound of 20 s: a server that never closes fails the test). */
function untilClosed(s: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const guard = setTimeout(() => {
      s.destroy();
      reject(new Error("the server kept the slow connection open"));
    }, 20_000);
    s.on("data", (d) => (text += d.toString()));
    s.on("error", () => {});
    s.on("close", () => {
      clearTimeout(guard);
      resolve(text);
    });
  });
}

async function rawRequest(base: string, request: string): Promise<{ status: number }> {
  const { hostname, port } = new URL(base);
  const s = await openSocket(hostname, Number(port));
  s.write(request);
  const text = await untilClosed(s);
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0) };
}

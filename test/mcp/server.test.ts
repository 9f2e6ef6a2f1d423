/**
 * The MCP server in process (the SDK's Client over its in-memory transport) on a real SQLite ledger:
 * list_incidents' filters and statuses, ledger_entries' paging, credentials masked in every result,
 * and authorization answers mapped to MCP errors before a tool runs.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { KubeConfig } from "@kubernetes/client-node";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { systemClock } from "../../src/base/clock.ts";
import { openLedger, type SqliteLedger } from "../../src/core/ledger/index.ts";
import { appendPayload } from "../../src/core/ledger/payload.ts";
import { DEFAULT_POLICY } from "../../src/core/policy.ts";
import { recordApprovalRequest, recordDecision } from "../../src/graph/approvals.ts";
import { GRAPH } from "../../src/graph/payloads.ts";
import { KubeClient } from "../../src/kube/kube-client.ts";
import type { Caller, McpDeps } from "../../src/mcp/context.ts";
import { createMcpServer } from "../../src/mcp/server.ts";
import type { AuthDecision } from "../../src/server/http-auth.ts";
import { createEmbeddedAgents } from "../../agents/index.ts";
import { incidentFor } from "../graph/harness.ts";
import { callJson, callText } from "./client.ts";

const DIGEST = `sha256:${"a".repeat(64)}`;

describe("MCP server (in process, real ledger)", () => {
  let ledger: SqliteLedger;
  let deps: McpDeps;
  const clients: Client[] = [];

  const connect = async (answer: (verb: string) => AuthDecision = () => ({ ok: true, identity: { username: "alice", groups: [] } })) => {
    const caller: Caller = { verified: true, authorize: async (verb) => answer(verb) };
    const [a, b] = InMemoryTransport.createLinkedPair();
    await createMcpServer(deps, caller).connect(b);
    const client = new Client({ name: "stratus-test", version: "1" });
    await client.connect(a);
    clients.push(client);
    return client;
  };

  before(() => {
    ledger = openLedger({ path: join(mkdtempSync(join(tmpdir(), "stratus-mcp-server-")), "ledger.db") });
    const open = (id: string, namespace: string) => {
      const incident = { ...incidentFor("shop", id), namespace };
      appendPayload(ledger, GRAPH.incident, { actor: "agent:detection", incidentId: id }, { step: "incident", incident, baselineReplicas: {} });
    };
    open("INC-A", "shop");
    open("INC-B", "payments");
    open("INC-C", "shop");
    appendPayload(ledger, GRAPH.closed, { actor: "core:graph", incidentId: "INC-A" }, { phase: "closed", status: "resolved", reason: "committed" });
    recordApprovalRequest(ledger, "INC-C", { attempt: 1, digest: DIGEST, reasons: ["high-risk action needs approval"] });
    ledger.append({ kind: "note", actor: "agent:diagnosis", incidentId: "INC-B", payload: { dbPassword: "hunter2-hunter2", message: "connect with token=s3cr3t-t0ken-value please" } });
    // A client for a cluster nobody serves: the ledger tools never reach it.
    const kc = new KubeConfig();
    kc.loadFromOptions({ clusters: [{ name: "none", server: "http://127.0.0.1:9" }], users: [{ name: "u", token: "t" }], contexts: [{ name: "c", cluster: "none", user: "u" }], currentContext: "c" });
    const client = new KubeClient(kc, { readRetries: 0 });
    deps = {
      ledger, reader: client, dryRunClient: client, clock: systemClock, namespaces: () => ["shop"], policy: DEFAULT_POLICY,
      agents: createEmbeddedAgents({ playbooks: false }),
      approve: async (id, body) => {
        const { attempt, decision } = recordDecision(ledger, id, body);
        return { incident: id, attempt, decision: decision.approved ? "approved" : "rejected", by: decision.by };
      },
    };
  });
  after(async () => {
    for (const c of clients) await c.close();
    ledger.close();
  });

  it("lists incidents newest first with their status, filtered by status and namespace", async () => {
    const client = await connect();
    const all = await callJson(client, "list_incidents", {});
    assert.deepEqual(all.incidents.map((i: { id: string; status: string }) => `${i.id}=${i.status}`), ["INC-C=awaiting-approval", "INC-B=open", "INC-A=resolved"]);
    assert.deepEqual(all.incidents[0].approval, { attempt: 1, digest: DIGEST, reasons: ["high-risk action needs approval"] });
    const active = await callJson(client, "list_incidents", { status: "active", namespace: "shop" });
    assert.deepEqual(active.incidents.map((i: { id: string }) => i.id), ["INC-C"]);
    const one = await callJson(client, "list_incidents", { limit: 1 });
    assert.equal(one.count, 1);
    const missing = await callText(client, "get_incident", { id: "INC-Z" });
    assert.equal(missing.isError, true);
    assert.match(missing.text, /no incident "INC-Z" in the ledger; call list_incidents/);
  });

  it("pages through the ledger and masks credentials in every result", async () => {
    const client = await connect();
    const seen: number[] = [];
    let after: number | undefined;
    for (;;) {
      const page = await callJson(client, "ledger_entries", { limit: 2, ...(after !== undefined ? { after } : {}) });
      seen.push(...page.entries.map((e: { seq: number }) => e.seq));
      if (page.next === undefined) break;
      after = page.next;
    }
    assert.deepEqual(seen, ledger.query({}).map((e) => e.seq), "every entry once, in order");
    const notes = await callText(client, "ledger_entries", { incident: "INC-B", kind: ["note"] });
    assert.equal(notes.isError, false);
    assert.doesNotMatch(notes.text, /hunter2|s3cr3t/);
    assert.match(notes.text, /<redacted>/);
  });

  it("maps the authenticator's 403 and 503 to MCP errors, and runs nothing", async () => {
    const count = ledger.count();
    const reader = await connect((verb) => (verb === "read" ? { ok: true, identity: { username: "bob", groups: [] } } : { ok: false, status: 403, message: 'User "bob" cannot approve' }));
    const denied = await callText(reader, "decide_approval", { incident: "INC-C", decision: "approve" });
    assert.equal(denied.isError, true);
    assert.match(denied.text, /^403 Forbidden: User "bob" cannot approve/);
    const down = await connect(() => ({ ok: false, status: 503, message: "cannot check the token with the cluster" }));
    const unavailable = await callText(down, "list_incidents", {});
    assert.match(unavailable.text, /^503 Service Unavailable: cannot check the token/);
    assert.equal(ledger.count(), count, "nothing was written");
    const outside = await callText(await connect(), "cluster_health", { namespace: "payments" });
    assert.match(outside.text, /namespace "payments" is not watched by Stratus; use one of: shop/);
  });

  it("records a decision as the caller's identity, bound to the held digest", async () => {
    const client = await connect();
    const r = await callJson(client, "decide_approval", { incident: "INC-C", decision: "reject", note: "not during the sale" });
    assert.deepEqual(r, { incident: "INC-C", attempt: 1, decision: "rejected", by: "alice" });
    const d = ledger.byIncident("INC-C").at(-1)!;
    assert.equal(d.actor, "person:alice");
    assert.deepEqual(d.payload.identity, { username: "alice", groups: [] });
    assert.equal(d.payload.digest, DIGEST);
  });
});

/**
 * MCP over streamable HTTP at /mcp on the watchdog's server, authenticated by the cluster: the
 * sandbox's real TokenReview and SubjectAccessReview behind KubeAuthenticator, ServiceAccount
 * tokens, RBAC on incidents.stratus.dev. No token → 401 before any MCP; a reader lists and reads
 * but decide_approval answers 403 as an MCP error (nothing recorded); the on-call approver's
 * decision goes through the watchdog's own approve, recorded under the token's identity, and the
 * held plan runs.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createEmbeddedAgents } from "../../agents/index.ts";
import type { McpDeps } from "../../src/mcp/context.ts";
import { mcpRoute } from "../../src/mcp/http.ts";
import { TOOLS } from "../../src/mcp/tools/index.ts";
import { AlertStore, KubeAuthenticator, startServer, type RunningServer } from "../../src/server/index.ts";
import { deploymentRef } from "../graph/harness.ts";
import { eventually } from "../helpers/sandbox.ts";
import { callJson, callText } from "./client.ts";
import { APP, heldIncident, type HeldIncident } from "./fixture.ts";
import { incidentRbacYaml } from "../helpers/incident-rbac.ts";

const RBAC = incidentRbacYaml("default");

describe("MCP over HTTP at /mcp (TokenReview + SubjectAccessReview)", () => {
  let f: HeldIncident;
  let srv: RunningServer;
  const tokens: Record<string, string> = {};
  const clients: Client[] = [];

  const connect = async (token?: string) => {
    const client = new Client({ name: "stratus-test", version: "1" });
    const transport = new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`), token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {});
    await client.connect(transport);
    clients.push(client);
    return client;
  };

  before(async () => {
    f = await heldIncident();
    const applied = await f.cluster.kubectl(["create", "-f", "-"], RBAC);
    assert.equal(applied.code, 0, applied.stderr);
    for (const sa of ["viewer", "oncall"]) {
      assert.equal((await f.cluster.kubectl(["create", "serviceaccount", sa, "-n", "default"])).code, 0);
      tokens[sa] = f.cluster.sandbox.createToken("default", sa);
    }
    const authenticator = new KubeAuthenticator(f.client);
    const deps: McpDeps = {
      ledger: f.ledger, reader: f.client, dryRunClient: f.client, clock: f.clock,
      namespaces: () => f.watchdog.namespaces(), policy: f.policy, agents: createEmbeddedAgents({ playbooks: false }),
      liveIncidents: () => f.watchdog.incidents(),
      approve: (id, body) => f.watchdog.approve(id, body),
    };
    srv = await startServer("127.0.0.1:0", {
      alerts: new AlertStore(), ledger: f.ledger, readiness: () => f.watchdog.readiness(), authenticator,
      incidents: () => f.watchdog.incidents(), approve: (id, body) => f.watchdog.approve(id, body),
      routes: [mcpRoute(deps, authenticator)],
    });
  });
  after(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await srv?.close();
    await f?.close();
  });

  it("answers 401 with a bearer challenge to a request without a token, before any MCP", async () => {
    await assert.rejects(connect(), (e: { code?: number }) => e.code === 401);
    const res = await fetch(`${srv.url}/mcp`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }) });
    assert.equal(res.status, 401);
    assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer/);
    assert.equal((await fetch(`${srv.url}/mcp`, { headers: { authorization: `Bearer ${tokens.viewer}` } })).status, 405, "stateless: no GET stream");
    const crossSite = await fetch(`${srv.url}/mcp`, { method: "POST", headers: { cookie: `stratus_token=${tokens.viewer}`, origin: "http://evil.example", "content-type": "application/json", accept: "application/json, text/event-stream" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }) });
    assert.equal(crossSite.status, 403, "another site's page cannot ride the web UI's session cookie");
  });

  it("lets a reader list tools and read the held incident, but not decide (403 as an MCP error)", async () => {
    const viewer = await connect(tokens.viewer);
    const { tools } = await viewer.listTools();
    assert.deepEqual(tools.map((t) => t.name), TOOLS.map((t) => t.name));
    const listed = await callJson(viewer, "list_incidents", {});
    const mine = listed.incidents.find((i: { id: string }) => i.id === f.incidentId);
    assert.equal(mine.status, "awaiting-approval");
    assert.ok(mine.now, "the running watchdog's own word on it is included");
    const before = f.ledger.count();
    const denied = await callText(viewer, "decide_approval", { incident: f.incidentId, decision: "approve" });
    assert.equal(denied.isError, true);
    assert.match(denied.text, /^403 Forbidden: .*system:serviceaccount:default:viewer/);
    assert.equal(f.ledger.count(), before, "a refused decision writes nothing");
    assert.equal(f.watchdog.book.waiting()[0]?.incident.id, f.incidentId, "still waiting");
  });

  it("records the approver's decision under the token's identity; the watchdog runs the plan", async () => {
    const oncall = await connect(tokens.oncall);
    const inc = await callJson(oncall, "get_incident", { id: f.incidentId });
    const dry = await callJson(oncall, "dry_run_plan", { plan: { steps: [{ id: "set-image", action: { type: "set-image", params: { namespace: "default", name: APP, container: "nginx", image: "nginx:1.27" } } }] } });
    assert.equal(dry.ok, true, JSON.stringify(dry));
    assert.equal(dry.digest, inc.approval.digest, "the plan dry-run is the plan held");
    const r = await callJson(oncall, "decide_approval", { incident: f.incidentId, decision: "approve", digest: inc.approval.digest });
    assert.equal(r.decision, "approved");
    assert.equal(r.by, "system:serviceaccount:default:oncall");
    const decision = f.ledger.byIncident(f.incidentId).find((e) => e.kind === "approval" && e.payload.phase === "decision")!;
    assert.deepEqual((decision.payload.identity as { username: string }).username, "system:serviceaccount:default:oncall");
    assert.equal(await f.done, 0, "the watchdog fixed what it found");
    await eventually(async () => (await f.client.read(deploymentRef(APP)))!.spec.template.spec.containers[0].image === "nginx:1.27", 10_000, "the image set back");
  });
});

/**
 * Redaction before the model: secrets planted in a pod's log, in its env and in a Secret on the
 * sandbox (reached over HTTP like a real cluster) are read by the LLM diagnosis through its tools,
 * and not one planted value appears in any request body the scripted endpoint received — tool
 * results and the task input are masked with src/base/redact.ts before the model sees them.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { LlmDiagnosisAgent, type LlmAgentCall } from "../../agents/llm/index.ts";
import type { Incident } from "../../src/incident/types.ts";
import { eventually } from "../helpers/sandbox.ts";
import { startScriptedOpenAI, type ScriptedOpenAI } from "../helpers/scripted-openai.ts";
import { startTnrFixture, type TnrFixture } from "../helpers/tnr.ts";
import { StubDiagnosis } from "../graph/stub-agents.ts";
import { answer, chatModel, FAST_RETRY } from "./fixtures.ts";

const PLANTED = { env: "planted-env-Zx81qT", dsn: "planted-dsn-Qw77pL", secret: "planted-secret-Hk42vB", evidence: "planted-evidence-Mn05rC" };

describe("redaction before the model", () => {
  let f: TnrFixture;
  let api: ScriptedOpenAI;
  before(async () => {
    f = await startTnrFixture();
    api = await startScriptedOpenAI();
  });
  after(async () => {
    await api.close();
    await f.close();
  });

  it("no planted secret reaches the model, whatever tool reads it", async () => {
    await f.client.create({ apiVersion: "v1", kind: "Secret", metadata: { name: "db-creds", namespace: "default" }, type: "Opaque", data: { password: Buffer.from(PLANTED.secret).toString("base64") } });
    await f.client.create({
      apiVersion: "v1", kind: "Pod", metadata: { name: "leaky", namespace: "default", labels: { app: "leaky" } },
      spec: {
        restartPolicy: "Never",
        containers: [{
          name: "app", image: "busybox:1.36",
          env: [{ name: "DB_PASSWORD", value: PLANTED.env }, { name: "DB_HOST", value: "mongodb" }],
          command: ["sh", "-c", `echo connecting to mongodb://geo:${PLANTED.dsn}@mongodb:27017/geo; printenv; exit 2`],
        }],
      },
    });
    // The container has run and logged what it would log: the planted values are in the cluster.
    await eventually(async () => (await f.client.podLogs("default", "leaky")).includes(PLANTED.dsn), 20_000, "the pod's log");

    api.push(
      { toolCalls: [{ name: "list_pods", args: { namespace: "default" } }, { name: "get_logs", args: { namespace: "default", pod: "leaky" } }] },
      { toolCalls: [{ name: "get_object", args: { kind: "Pod", namespace: "default", name: "leaky" } }, { name: "get_object", args: { kind: "Secret", namespace: "default", name: "db-creds" } }, { name: "get_events", args: { namespace: "default" } }] },
      answer("diagnosis", { hypotheses: [{ rootCause: { kind: "Pod", namespace: "default", name: "leaky" }, layer: "application", type: "code-defect", summary: "leaky exits 2 after printing its environment", confidence: 0.7, evidence: [{ source: "log", fact: "exit 2" }] }] }),
    );
    const at = new Date(f.clock.now()).toISOString();
    const incident: Incident = {
      id: "INC-redact", namespace: "default", openedAt: at, onsetAt: at, severity: "critical", fingerprint: "default/leaky",
      symptoms: ["container-states:default/leaky"], affected: ["leaky"],
      evidence: [{ source: "log", entity: { kind: "Pod", namespace: "default", name: "leaky" }, fact: `connecting with password=${PLANTED.evidence}` }],
    };
    const calls: LlmAgentCall[] = [];
    const d = await new LlmDiagnosisAgent(new StubDiagnosis(), { model: chatModel(api.url), retry: FAST_RETRY, record: (c) => calls.push(c) })
      .diagnose(incident, { client: f.client, clock: f.clock, namespaces: ["default"] });
    assert.equal(d.reasoner, "llm", calls[0]?.fallbackReason);
    assert.deepEqual(calls[0].toolCalls, ["list_pods", "get_logs", "get_object", "get_object", "get_events"]);

    assert.equal(api.requests.length, 3);
    const sent = api.requests.map((r) => JSON.stringify(r)).join("\n");
    for (const [where, value] of Object.entries(PLANTED)) assert.ok(!sent.includes(value), `the planted ${where} value reached the model`);
    assert.ok(!sent.includes(Buffer.from(PLANTED.secret).toString("base64")), "nor the Secret's base64");
    // The reads did happen and were masked, not dropped: the model still sees what leaked where.
    const tools = api.requests[2].messages.filter((m) => m.role === "tool").map((m) => String(m.content));
    assert.match(tools.join("\n"), /mongodb:\/\/geo:<redacted>@mongodb/);
    assert.match(tools.join("\n"), /DB_PASSWORD/);
    assert.match(tools.join("\n"), /<redacted>/);
  });
});

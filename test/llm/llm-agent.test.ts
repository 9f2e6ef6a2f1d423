/**
 * The agents' LLM path against a scripted OpenAI-compatible endpoint on 127.0.0.1, through the real
 * ChatOpenAI HTTP client: tool calls reach the read-only tools and their bounded results go back to
 * the model; tokens are counted; a malformed or out-of-vocabulary answer is sent back once with the
 * error, then the embedded reasoner answers and the call record says why.
 */
import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { LlmDiagnosisAgent, LlmMitigationAgent, runToolLoop, type LlmAgentCall, type LlmRuntime } from "../../agents/llm-agent.ts";
import type { AgentContext } from "../../src/incident/agent.ts";
import { digestOf } from "../../src/core/transaction.ts";
import { parsePlan } from "../../src/core/plan.ts";
import { systemClock } from "../../src/base/clock.ts";
import { startScriptedOpenAI, type ScriptedOpenAI } from "../helpers/scripted-openai.ts";
import { ScriptedMitigation, StubDiagnosis } from "../graph/stub-agents.ts";
import { chatModel, geoCluster, geoDiagnosisAnswer, geoIncident, INJECTION } from "./fixtures.ts";

const ctx = (): AgentContext => ({ client: geoCluster(), clock: systemClock, namespaces: ["shop"] });
const json = (v: unknown) => JSON.stringify(v);
const restartPlan = { steps: [{ id: "restart", action: { type: "rollout-restart", params: { namespace: "shop", name: "geo" } } }] };

describe("LLM agents through ChatOpenAI and a scripted endpoint", () => {
  let api: ScriptedOpenAI;
  let calls: LlmAgentCall[];
  let rt: LlmRuntime;
  before(async () => { api = await startScriptedOpenAI(); });
  after(async () => { await api.close(); });
  beforeEach(() => {
    api.requests.length = 0;
    calls = [];
    rt = { model: chatModel(api.url), modelName: "scripted-model", record: (c) => calls.push(c) };
  });

  it("runs tool calls against the read-only tools, hands back bounded results, and counts tokens", async () => {
    api.push(
      { toolCalls: [{ name: "list_pods", args: { namespace: "shop" } }, { name: "get_logs", args: { namespace: "shop", pod: "geo-7d9f-abcde", previous: true } }], usage: { prompt: 300, completion: 40 } },
      { toolCalls: [{ name: "get_object", args: { kind: "Secret", namespace: "shop", name: "mongodb-geo-credentials" } }], usage: { prompt: 500, completion: 30 } },
      { content: "Here is my answer:\n```json\n" + json(geoDiagnosisAnswer) + "\n```", usage: { prompt: 700, completion: 120 } },
    );
    const d = await new LlmDiagnosisAgent(new StubDiagnosis(), rt).diagnose(geoIncident(), ctx());
    assert.equal(d.reasoner, "llm");
    assert.equal(d.hypotheses[0].summary, "geo cannot reach its database");
    assert.deepEqual(d.path, ["frontend", "geo"]);

    assert.equal(api.requests.length, 3);
    const toolNames = api.requests[0].tools!.map((t) => t.function.name);
    for (const n of ["list_pods", "get_object", "get_events", "get_logs", "service_metrics", "rollout_history"]) assert.ok(toolNames.includes(n), `tool ${n} offered`);
    const toolMsgs = api.requests[1].messages.filter((m) => m.role === "tool");
    assert.equal(toolMsgs.length, 2);
    assert.match(toolMsgs[0].content, /CrashLoopBackOff/);
    const logs = JSON.parse(toolMsgs[1].content);
    assert.ok(logs.lines.length < 10, "50 near-identical lines are deduplicated");
    assert.equal(logs.lines[0].count, 50);
    assert.match(logs.note, /never instructions/);
    const secret = api.requests[2].messages.filter((m) => m.role === "tool").at(-1).content;
    assert.doesNotMatch(secret, /hunter2/, "secret values never reach the model");
    assert.match(secret, /username/);

    assert.equal(calls.length, 1);
    assert.equal(calls[0].reasoner, "llm");
    assert.deepEqual(calls[0].toolCalls, ["list_pods", "get_logs", "get_object"]);
    assert.deepEqual(calls[0].tokens, { input: 1500, output: 190, total: 1690, calls: 3 });
  });

  it("sends a malformed answer back once with the error, then falls back to the embedded reasoner", async () => {
    api.push({ content: "I think it is the database." }, { content: json({ ...geoDiagnosisAnswer, hypotheses: [{ ...geoDiagnosisAnswer.hypotheses[0], layer: "quantum" }] }) });
    const d = await new LlmDiagnosisAgent(new StubDiagnosis(), rt).diagnose(geoIncident(), ctx());
    assert.equal(d.reasoner, "embedded");
    assert.equal(api.requests.length, 2, "one repair, no more");
    const repair = api.requests[1].messages.at(-1);
    assert.equal(repair.role, "user");
    assert.match(repair.content, /could not be used: the answer holds no JSON object/);
    assert.equal(calls[0].reasoner, "embedded");
    assert.equal(calls[0].repairs, 1);
    assert.match(calls[0].fallbackReason!, /hypotheses\.0\.layer/);
  });

  it("uses an answer repaired on the second try", async () => {
    api.push({ content: "```json\n{\"hypotheses\": [}\n```" }, { content: json(geoDiagnosisAnswer) });
    const d = await new LlmDiagnosisAgent(new StubDiagnosis(), rt).diagnose(geoIncident(), ctx());
    assert.equal(d.reasoner, "llm");
    assert.match(api.requests[1].messages.at(-1).content, /not valid JSON/);
    assert.equal(calls[0].repairs, 1);
  });

  it("refuses an out-of-vocabulary plan and a repeat of a failed plan, telling the model why", async () => {
    const diagnosis = { incidentId: "INC-llm-1", hypotheses: geoDiagnosisAnswer.hypotheses as never, path: [], reasoner: "llm" as const };
    const failed = { n: 1, hypothesis: "x", plan: "rollout-restart", planDigest: digestOf(parsePlan(restartPlan)), outcome: "rolled-back" as const, reason: "health did not improve" };
    api.push(
      { content: json({ hypothesis: 0, plan: { steps: [{ id: "x", action: { type: "nuke-cluster", params: {} } }] }, rationale: "because the log said so" }) },
      { content: json({ hypothesis: 0, plan: restartPlan, rationale: "restart it" }) },
    );
    const undoPlan = () => ({ steps: [{ id: "undo", action: { type: "rollout-undo", params: { namespace: "shop", name: "geo" } } }] });
    const embedded = new ScriptedMitigation([undoPlan, undoPlan]);
    const p = await new LlmMitigationAgent(embedded, rt).propose(geoIncident(), diagnosis, [failed], ctx());
    assert.match(api.requests[1].messages.at(-1).content, /unknown action type "nuke-cluster"/);
    assert.equal(p?.plan.steps[0].id, "undo", "the embedded reasoner's plan");
    assert.equal(calls[0].reasoner, "embedded");
    assert.match(calls[0].fallbackReason!, /plan of attempt 1, which already failed/);
  });

  it("takes a valid plan from the model, checked with check_plan first", async () => {
    const diagnosis = { incidentId: "INC-llm-1", hypotheses: geoDiagnosisAnswer.hypotheses as never, path: [], reasoner: "llm" as const };
    api.push(
      { toolCalls: [{ name: "list_actions", args: {} }, { name: "check_plan", args: { plan: restartPlan } }] },
      { content: json({ hypothesis: 0, plan: restartPlan, rationale: "restart geo" }) },
    );
    const p = await new LlmMitigationAgent(new ScriptedMitigation([]), rt).propose(geoIncident(), diagnosis, [], ctx());
    assert.equal(p?.plan.steps[0].id, "restart");
    assert.deepEqual(p?.origin, { reasoner: "llm", model: "scripted-model" });
    const [actions, check] = api.requests[1].messages.filter((m) => m.role === "tool").map((m) => JSON.parse(m.content));
    assert.ok(actions.actions.some((a: { signature: string }) => a.signature.startsWith("scale(namespace*")));
    assert.equal(check.valid, true);
  });

  it("falls back when the endpoint cannot be reached", async () => {
    const dead = { ...rt, model: chatModel("http://127.0.0.1:9/v1") };
    const d = await new LlmDiagnosisAgent(new StubDiagnosis(), dead).diagnose(geoIncident(), ctx());
    assert.equal(d.reasoner, "embedded");
    assert.match(calls[0].fallbackReason!, /model call failed/);
  });

  it("keeps cluster text as data: the injected log line reaches the model only inside a tool result", async () => {
    api.push({ toolCalls: [{ name: "get_logs", args: { namespace: "shop", pod: "geo-7d9f-abcde" } }] }, { content: json(geoDiagnosisAnswer) });
    await new LlmDiagnosisAgent(new StubDiagnosis(), rt).diagnose(geoIncident(), ctx());
    const msgs = api.requests[1].messages;
    assert.ok(msgs.find((m) => m.role === "tool").content.includes(INJECTION));
    assert.ok(!msgs.filter((m) => m.role !== "tool").some((m) => String(m.content).includes(INJECTION)));
    assert.match(msgs[0].content, /never instructions/);
  });

  it("refuses tool reads outside the incident's namespaces", async () => {
    api.push({ toolCalls: [{ name: "list_pods", args: { namespace: "kube-system" } }] }, { content: json(geoDiagnosisAnswer) });
    await new LlmDiagnosisAgent(new StubDiagnosis(), rt).diagnose(geoIncident(), ctx());
    assert.match(api.requests[1].messages.at(-1).content, /out of scope/);
  });

  it("bounds the loop: a model that only calls tools gives up and falls back", async () => {
    const res = await runToolLoop({
      model: chatModel(api.url), system: "s", input: "i", tools: [], parse: (x) => x, maxToolRounds: 2, repairAttempts: 0,
    }).catch((e) => e);
    assert.equal(res.ok, false, "no script left: the model call fails and the loop says so");
  });
});

/**
 * The agents' LLM path (langchain's createAgent with Stratus's middleware) against a scripted
 * OpenAI-compatible endpoint on 127.0.0.1, through the real ChatOpenAI HTTP client: tool calls
 * reach the read-only tools and their masked, bounded results go back to the model; the answer
 * comes through the stage's structured-output tool; tokens are counted; a bad answer is sent back
 * once, then the embedded reasoner answers and the call record says why — as it does on a timeout,
 * an unreachable endpoint, or a model that only calls tools. With tools off the model gets the
 * reads up front and answers JSON.
 */
import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { LlmDiagnosisAgent, LlmMitigationAgent, type LlmAgentCall, type LlmRuntime } from "../../agents/llm/index.ts";
import type { AgentContext, DiagnosisAgent } from "../../src/incident/agent.ts";
import type { Diagnosis, Incident } from "../../src/incident/types.ts";
import { digestOf } from "../../src/core/transaction.ts";
import { parsePlan } from "../../src/core/plan.ts";
import { systemClock } from "../../src/base/clock.ts";
import { startScriptedOpenAI, type ScriptedOpenAI } from "../helpers/scripted-openai.ts";
import { ScriptedMitigation, StubDiagnosis } from "../graph/stub-agents.ts";
import { answer, chatModel, FAST_RETRY, geoCluster, geoDiagnosisAnswer, geoIncident, INJECTION } from "./fixtures.ts";

const ctx = (): AgentContext => ({ client: geoCluster(), clock: systemClock, namespaces: ["shop"] });
const json = (v: unknown) => JSON.stringify(v);
/** A message's text, whether sent as a string or as content parts. */
const textOf = (c: unknown): string => (typeof c === "string" ? c : (c as Array<{ text?: string }>).map((p) => p.text ?? "").join(""));
const restartPlan = { steps: [{ id: "restart", action: { type: "rollout-restart", params: { namespace: "shop", name: "geo" } } }] };
const llmDiagnosis = (): Diagnosis => ({ incidentId: "INC-llm-1", hypotheses: geoDiagnosisAnswer.hypotheses as never, path: [], reasoner: "llm" });

describe("LLM agents on createAgent, through ChatOpenAI and a scripted endpoint", () => {
  let api: ScriptedOpenAI;
  let calls: LlmAgentCall[];
  let rt: LlmRuntime;
  before(async () => { api = await startScriptedOpenAI(); });
  after(async () => { await api.close(); });
  beforeEach(() => {
    api.requests.length = 0;
    calls = [];
    rt = { model: chatModel(api.url), modelName: "scripted-model", retry: FAST_RETRY, price: { input: 1, output: 4 }, record: (c) => calls.push(c) };
  });

  it("runs tool calls against the read-only tools, hands back masked, bounded results, and counts tokens and dollars", async () => {
    api.push(
      { toolCalls: [{ name: "list_pods", args: { namespace: "shop" } }, { name: "get_logs", args: { namespace: "shop", pod: "geo-7d9f-abcde", previous: true } }], usage: { prompt: 300, completion: 40 } },
      { toolCalls: [{ name: "get_object", args: { kind: "Secret", namespace: "shop", name: "mongodb-geo-credentials" } }], usage: { prompt: 500, completion: 30 } },
      answer("diagnosis", geoDiagnosisAnswer, { prompt: 700, completion: 120 }),
    );
    const d = await new LlmDiagnosisAgent(new StubDiagnosis(), rt).diagnose(geoIncident(), ctx());
    assert.equal(d.reasoner, "llm");
    assert.equal(d.hypotheses[0].summary, "geo cannot reach its database");
    assert.deepEqual(d.hypotheses[0].facts, {});
    assert.deepEqual(d.path, ["frontend", "geo"]);

    assert.equal(api.requests.length, 3);
    const toolNames = api.requests[0].tools!.map((t) => t.function.name);
    for (const n of ["list_pods", "get_object", "get_events", "get_logs", "service_metrics", "rollout_history", "extract-diagnosis"]) assert.ok(toolNames.includes(n), `tool ${n} offered`);
    assert.equal(api.requests[0].tool_choice, "required", "the model must answer through a tool");
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
    assert.equal(calls[0].costUsd, (1500 * 1 + 190 * 4) / 1e6);
    assert.equal(calls[0].model, "scripted-model");
  });

  it("sends an answer that does not fit the schema back once with the error, then falls back to the embedded reasoner", async () => {
    const bad = { ...geoDiagnosisAnswer, hypotheses: [{ ...geoDiagnosisAnswer.hypotheses[0], layer: "quantum" }] };
    api.push(answer("diagnosis", bad), answer("diagnosis", bad));
    const d = await new LlmDiagnosisAgent(new StubDiagnosis(), rt).diagnose(geoIncident(), ctx());
    assert.equal(d.reasoner, "embedded");
    assert.equal(api.requests.length, 2, "one repair, no more");
    const repair = api.requests[1].messages.at(-1);
    assert.equal(repair.role, "tool");
    assert.match(repair.content, /could not be used: .*layer/s);
    assert.equal(calls[0].reasoner, "embedded");
    assert.equal(calls[0].repairs, 1);
    assert.match(calls[0].fallbackReason!, /could not be used/);
  });

  it("uses an answer repaired on the second try: prose first, then the answer tool", async () => {
    api.push({ content: "I think it is the database." }, answer("diagnosis", geoDiagnosisAnswer));
    const d = await new LlmDiagnosisAgent(new StubDiagnosis(), rt).diagnose(geoIncident(), ctx());
    assert.equal(d.reasoner, "llm");
    const repair = api.requests[1].messages.at(-1);
    assert.equal(repair.role, "user");
    assert.match(repair.content, /could not be used: the answer holds no JSON object/);
    assert.equal(calls[0].repairs, 1);
  });

  it("sends back a root cause that does not exist in the cluster", async () => {
    const ghost = { ...geoDiagnosisAnswer, hypotheses: [{ ...geoDiagnosisAnswer.hypotheses[0], rootCause: { kind: "Deployment", namespace: "shop", name: "geo-db" } }] };
    api.push(answer("diagnosis", ghost), answer("diagnosis", geoDiagnosisAnswer));
    const d = await new LlmDiagnosisAgent(new StubDiagnosis(), rt).diagnose(geoIncident(), ctx());
    assert.equal(d.reasoner, "llm");
    assert.match(api.requests[1].messages.at(-1).content, /Deployment shop\/geo-db does not exist/);
  });

  it("refuses an out-of-vocabulary plan and a repeat of a failed plan, telling the model why", async () => {
    const failed = { n: 1, hypothesis: "x", plan: "rollout-restart", planDigest: digestOf(parsePlan(restartPlan)), outcome: "rolled-back" as const, reason: "health did not improve" };
    api.push(
      answer("plan", { hypothesis: 0, plan: { steps: [{ id: "x", action: { type: "nuke-cluster", params: {} } }] }, rationale: "because the log said so" }),
      answer("plan", { hypothesis: 0, plan: restartPlan, rationale: "restart it" }),
    );
    const undoPlan = () => ({ steps: [{ id: "undo", action: { type: "rollout-undo", params: { namespace: "shop", name: "geo" } } }] });
    const embedded = new ScriptedMitigation([undoPlan, undoPlan]);
    const p = await new LlmMitigationAgent(embedded, rt).propose(geoIncident(), { ...llmDiagnosis(), reasoner: "embedded" }, [failed], ctx());
    assert.match(api.requests[1].messages.at(-1).content, /unknown action type "nuke-cluster"/);
    assert.equal(p?.plan.steps[0].id, "undo", "the embedded reasoner's plan");
    assert.equal(calls[0].reasoner, "embedded");
    assert.match(calls[0].fallbackReason!, /plan of attempt 1, which already failed/);
  });

  it("takes a valid plan from the model, checked with check_plan first", async () => {
    api.push(
      { toolCalls: [{ name: "list_actions", args: {} }, { name: "check_plan", args: { plan: restartPlan } }] },
      answer("plan", { hypothesis: 0, plan: restartPlan, rationale: "restart geo" }),
    );
    const p = await new LlmMitigationAgent(new ScriptedMitigation([]), rt).propose(geoIncident(), llmDiagnosis(), [], ctx());
    assert.equal(p?.plan.steps[0].id, "restart");
    assert.deepEqual(p?.origin, { reasoner: "llm", model: "scripted-model" });
    const [actions, check] = api.requests[1].messages.filter((m) => m.role === "tool").map((m) => JSON.parse(m.content));
    assert.ok(actions.actions.some((a: { signature: string }) => a.signature.startsWith("scale(namespace*")));
    assert.equal(check.valid, true);
  });

  it("after a refused plan, mitigation falls back without asking the model, with remedies derived from the embedded diagnosis", async () => {
    const refused = { n: 1, hypothesis: "geo cannot reach its database", plan: "delete-object Namespace/shop", planDigest: "d", outcome: "refused" as const, reason: "deleting Namespace is never allowed" };
    const withRemedies: DiagnosisAgent = {
      async diagnose(incident: Incident) {
        return { incidentId: incident.id, reasoner: "embedded", path: [], hypotheses: [
          { rootCause: { kind: "Service", namespace: "shop", name: "other" }, layer: "network", type: "misconfiguration", summary: "other", confidence: 0.9, evidence: [], facts: { remedies: "restore-service-port" } },
          { rootCause: { kind: "Deployment", namespace: "shop", name: "geo" }, layer: "application", type: "dependency", summary: "geo's database is down", confidence: 0.6, evidence: [], facts: { remedies: "rollout-undo" } },
        ] };
      },
    };
    const seen: Diagnosis[] = [];
    const embedded = { async propose(_i: Incident, d: Diagnosis) { seen.push(d); return null; } };
    const p = await new LlmMitigationAgent(embedded, rt, withRemedies).propose(geoIncident(), llmDiagnosis(), [refused], ctx());
    assert.equal(p, null);
    assert.equal(api.requests.length, 0, "the model is not asked again");
    assert.match(calls[0].fallbackReason!, /refused by the policy guard/);
    // The model named Deployment shop/geo: that cause comes first, carrying the embedded remedies.
    assert.deepEqual(seen[0].hypotheses.map((h) => [h.rootCause.name, h.facts.remedies]), [["geo", "rollout-undo"], ["other", "restore-service-port"]]);
  });

  it("holds an incident to its token budget: once spent, the embedded reasoner answers without asking the model", async () => {
    api.push(answer("diagnosis", geoDiagnosisAnswer, { prompt: 9_000, completion: 500 }));
    const budgeted = { ...rt, tokenBudget: 12_000 };
    const agent = new LlmDiagnosisAgent(new StubDiagnosis(), budgeted);
    assert.equal((await agent.diagnose(geoIncident(), ctx())).reasoner, "llm");
    const p = await new LlmMitigationAgent(new ScriptedMitigation([() => restartPlan]), budgeted).propose(geoIncident(), llmDiagnosis(), [], ctx());
    assert.equal(p?.rationale, "scripted attempt 1", "the embedded reasoner's plan");
    assert.equal(api.requests.length, 1, "the model was asked once");
    assert.match(calls[1].fallbackReason!, /token budget is spent \(9500 of 12000 tokens\)/);
    // Another incident has its own budget.
    api.push(answer("diagnosis", geoDiagnosisAnswer));
    assert.equal((await agent.diagnose({ ...geoIncident(), id: "INC-llm-2" }, ctx())).reasoner, "llm");
  });

  it("stops a stage whose next call would pass the incident's budget", async () => {
    api.push({ toolCalls: [{ name: "list_pods", args: { namespace: "shop" } }], usage: { prompt: 6_000, completion: 50 } });
    const d = await new LlmDiagnosisAgent(new StubDiagnosis(), { ...rt, tokenBudget: 10_000 }).diagnose(geoIncident(), ctx());
    assert.equal(d.reasoner, "embedded");
    assert.equal(api.requests.length, 1, "the second call is not made");
    assert.match(calls[0].fallbackReason!, /token budget would be passed: 6050 tokens spent in this stage, the next call needs at least 6000, 10000 were left/);
    assert.equal(calls[0].tokens.total, 6050, "what was spent is on record");
  });

  it("falls back when the endpoint cannot be reached, after retrying with back-off", async () => {
    const dead = { ...rt, model: chatModel("http://127.0.0.1:9/v1") };
    const d = await new LlmDiagnosisAgent(new StubDiagnosis(), dead).diagnose(geoIncident(), ctx());
    assert.equal(d.reasoner, "embedded");
    assert.match(calls[0].fallbackReason!, /model call failed/);
  });

  it("falls back when the stage times out", async () => {
    const hanging: Server = createServer(() => { /* never answers */ });
    await new Promise<void>((r) => hanging.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/v1`;
      const d = await new LlmDiagnosisAgent(new StubDiagnosis(), { ...rt, model: chatModel(url), stageTimeoutMs: 300 }).diagnose(geoIncident(), ctx());
      assert.equal(d.reasoner, "embedded");
      assert.match(calls[0].fallbackReason!, /did not answer within/);
    } finally {
      hanging.closeAllConnections();
      await new Promise((r) => hanging.close(r));
    }
  });

  it("keeps cluster text as data: the injected log line reaches the model only inside a tool result", async () => {
    api.push({ toolCalls: [{ name: "get_logs", args: { namespace: "shop", pod: "geo-7d9f-abcde" } }] }, answer("diagnosis", geoDiagnosisAnswer));
    await new LlmDiagnosisAgent(new StubDiagnosis(), rt).diagnose(geoIncident(), ctx());
    const msgs = api.requests[1].messages;
    assert.ok(msgs.find((m) => m.role === "tool").content.includes(INJECTION));
    assert.ok(!msgs.filter((m) => m.role !== "tool").some((m) => textOf(m.content ?? "").includes(INJECTION)));
    assert.match(textOf(msgs[0].content), /never instructions/);
  });

  it("refuses tool reads outside the incident's namespaces", async () => {
    api.push({ toolCalls: [{ name: "list_pods", args: { namespace: "kube-system" } }] }, answer("diagnosis", geoDiagnosisAnswer));
    await new LlmDiagnosisAgent(new StubDiagnosis(), rt).diagnose(geoIncident(), ctx());
    assert.match(api.requests[1].messages.at(-1).content, /out of scope/);
  });

  it("bounds the stage: a model that only calls tools is stopped and the embedded reasoner answers", async () => {
    const loop = () => ({ toolCalls: [{ name: "list_pods", args: { namespace: "shop" } }] });
    api.push(loop, loop, loop);
    const d = await new LlmDiagnosisAgent(new StubDiagnosis(), { ...rt, maxToolRounds: 2, repairAttempts: 0 }).diagnose(geoIncident(), ctx());
    assert.equal(d.reasoner, "embedded");
    assert.equal(api.requests.length, 3, "two tool rounds and the one answer call");
    assert.match(calls[0].fallbackReason!, /kept calling tools/);
  });

  it("tools off: the reads go in the prompt and the model answers one JSON object", async () => {
    api.push({ content: "```json\n" + json(geoDiagnosisAnswer) + "\n```" });
    const d = await new LlmDiagnosisAgent(new StubDiagnosis(), { ...rt, tools: "off" }).diagnose(geoIncident(), ctx());
    assert.equal(d.reasoner, "llm");
    const req = api.requests[0];
    assert.equal(req.tools, undefined, "no tools are bound");
    assert.deepEqual(req.response_format, { type: "json_object" });
    const input = JSON.parse(req.messages.find((m) => m.role === "user").content);
    const tools = input.observations.map((o: { tool: string }) => o.tool);
    for (const t of ["list_pods", "get_events", "get_object", "get_logs"]) assert.ok(tools.includes(t), `${t} read up front`);
    assert.doesNotMatch(req.messages.map((m) => textOf(m.content)).join("\n"), /hunter2/);
  });
});

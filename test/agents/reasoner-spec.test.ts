/**
 * One spec over reasoners: the same incidents on the sandbox (reached over HTTP) go to the embedded
 * reasoner, the LLM reasoner with tools (a scripted model that answers from what its tool results
 * show, served as an OpenAI-compatible endpoint to the real ChatOpenAI client), and the LLM
 * reasoner with tools off (JSON mode), and every one must meet the same output contract:
 *
 * - a Diagnosis that parses, from the reasoner asked (no silent fallback), with hypotheses ranked
 *   by confidence whose root-cause objects exist, the best naming the broken Deployment;
 * - a Proposal whose plan parses into the action vocabulary, passes the policy guard, stays in the
 *   incident's namespace, and addresses one of the diagnosis's hypotheses.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createEmbeddedAgents } from "../../agents/index.ts";
import { withLlm, type LlmAgentCall } from "../../agents/llm/index.ts";
import { READABLE_KINDS } from "../../agents/tools/kinds.ts";
import type { AgentContext, Agents } from "../../src/incident/agent.ts";
import { Diagnosis, type Incident } from "../../src/incident/types.ts";
import { parsePlan } from "../../src/core/plan.ts";
import { checkPlan, parsePolicy } from "../../src/core/policy.ts";
import { startOpenAIServer, type OpenAIServer } from "../../src/llm/openai-server.ts";
import { scriptedModel } from "../../evals/cassettes/scripted-model.ts";
import { eventually } from "../helpers/sandbox.ts";
import { startTnrFixture, type TnrFixture } from "../helpers/tnr.ts";
import { chatModel, FAST_RETRY } from "../llm/fixtures.ts";

type Fixture = { name: string; namespace: string; deployment: string; breaks: Record<string, unknown>; symptom: RegExp };

/** Each fixture: a Deployment that ran well at revision 1 and is broken by the change to revision 2. */
const FIXTURES: Fixture[] = [
  { name: "a release whose image cannot be pulled", namespace: "spec-release", deployment: "web", breaks: { image: "nginx:9.9-does-not-exist" }, symptom: /ImagePullBackOff|ErrImagePull/ },
  { name: "a release whose command crashes", namespace: "spec-crash", deployment: "worker", breaks: { image: "busybox:1.36", command: ["sh", "-c", "echo loading /etc/worker/config.yaml; echo fatal: config key queue.url is missing; exit 3"] }, symptom: /CrashLoopBackOff|Error/ },
];

type Reasoner = { name: string; reasoner: "embedded" | "llm"; make(): Agents };

describe("one output contract over reasoners", () => {
  let f: TnrFixture;
  let model: OpenAIServer;
  const calls: LlmAgentCall[] = [];
  const incidents = new Map<string, Incident>();

  before(async () => {
    f = await startTnrFixture(FIXTURES.map((x) => x.namespace));
    model = await startOpenAIServer((req) => scriptedModel(req));
    for (const x of FIXTURES) {
      await f.client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: x.namespace } });
      const container = { name: x.deployment, image: "nginx:1.25", ports: [{ containerPort: 80 }] };
      await f.client.create({
        apiVersion: "apps/v1", kind: "Deployment", metadata: { name: x.deployment, namespace: x.namespace },
        spec: { replicas: 2, selector: { matchLabels: { app: x.deployment } }, template: { metadata: { labels: { app: x.deployment } }, spec: { containers: [container] } } },
      });
      await eventually(async () => (await f.client.read({ apiVersion: "apps/v1", kind: "Deployment", namespace: x.namespace, name: x.deployment }))?.status?.availableReplicas === 2, 30_000, `${x.deployment} available`);
      await f.client.patch({ apiVersion: "apps/v1", kind: "Deployment", namespace: x.namespace, name: x.deployment }, { spec: { template: { spec: { containers: [{ ...container, ...x.breaks }] } } } }, "merge");
      const pod = await eventually(async () => (await f.client.list("v1", "Pod", { namespace: x.namespace })).find((p) => x.symptom.test(JSON.stringify(p.status?.containerStatuses ?? []))), 30_000, `${x.name}: a failing pod`);
      const at = new Date(f.clock.now()).toISOString();
      incidents.set(x.name, {
        id: `INC-spec-${x.deployment}`, namespace: x.namespace, openedAt: at, onsetAt: at, severity: "critical", fingerprint: `${x.namespace}/${x.deployment}`,
        symptoms: [`container-states:${x.namespace}/${x.deployment}`], affected: [x.deployment], checks: [`container-states:${x.namespace}/${x.deployment}`],
        evidence: [{ source: "pod-status", entity: { kind: "Pod", namespace: x.namespace, name: pod.metadata.name }, fact: `${pod.metadata.name} is failing` }],
      });
    }
  });
  after(async () => {
    await model?.close();
    await f?.close();
  });

  const llm = (tools: "on" | "off") => withLlm(createEmbeddedAgents(), { model: chatModel(model.url), modelName: "scripted", tools, retry: FAST_RETRY, record: (c) => calls.push(c) });
  const REASONERS: Reasoner[] = [
    { name: "embedded", reasoner: "embedded", make: () => createEmbeddedAgents() },
    { name: "llm (tools on)", reasoner: "llm", make: () => llm("on") },
    { name: "llm (tools off, JSON mode)", reasoner: "llm", make: () => llm("off") },
  ];

  for (const r of REASONERS) {
    for (const x of FIXTURES) {
      it(`${r.name}: ${x.name}`, async () => {
        const incident = incidents.get(x.name)!;
        const agents = r.make();
        const ctx: AgentContext = { client: f.client, clock: f.clock, namespaces: [x.namespace] };
        calls.length = 0;

        const d = await agents.diagnosis.diagnose(incident, ctx);
        assert.equal(Diagnosis.safeParse(d).success, true, "the diagnosis parses");
        assert.equal(d.reasoner, r.reasoner, `answered by the ${r.reasoner} reasoner: ${calls.map((c) => c.fallbackReason).join("; ")}`);
        assert.ok(d.hypotheses.length >= 1, "at least one hypothesis");
        d.hypotheses.forEach((h, i) => i && assert.ok(h.confidence <= d.hypotheses[i - 1].confidence, "ranked best first"));
        for (const h of d.hypotheses) {
          const kind = READABLE_KINDS[h.rootCause.kind];
          if (!kind) continue;
          const found = await f.client.read({ apiVersion: kind.apiVersion, kind: h.rootCause.kind, name: h.rootCause.name, ...(kind.namespaced ? { namespace: h.rootCause.namespace ?? x.namespace } : {}) });
          assert.ok(found, `root cause ${h.rootCause.kind} ${h.rootCause.name} exists`);
        }
        assert.ok(d.hypotheses[0].rootCause.name.startsWith(x.deployment), `the best hypothesis names ${x.deployment}, not ${d.hypotheses[0].rootCause.kind} ${d.hypotheses[0].rootCause.name}`);

        const p = await agents.mitigation.propose(incident, d, [], ctx);
        assert.ok(p, "a proposal");
        const plan = parsePlan(p.plan);
        const decision = checkPlan(parsePolicy(`namespaces: [${x.namespace}]\n`, "spec policy"), plan);
        assert.deepEqual(decision.refusals, [], "the guard lets it through");
        for (const s of plan.steps) if ("action" in s) assert.equal((s.action.params as { namespace?: string }).namespace, x.namespace, "it stays in the incident's namespace");
        assert.ok(d.hypotheses.some((h) => JSON.stringify(h) === JSON.stringify(p.hypothesis)), "it addresses a hypothesis of the diagnosis");
        if (r.reasoner === "llm") assert.deepEqual(calls.map((c) => [c.agent, c.reasoner]), [["diagnosis", "llm"], ["mitigation", "llm"]], "no fallback on the way");
      });
    }
  }
});

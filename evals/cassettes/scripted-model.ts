/**
 * A scripted "model" for generating cassettes and for tests of the LLM path: an OpenAI-compatible
 * responder that plays a careful SRE who reads before answering. It answers only from what the
 * request shows — the incident it was given and the tool results so far (or, tools off, the reads
 * handed to it) — never from a scenario's fault spec, which it cannot see.
 *
 * Diagnosis: list pods, warning events and service metrics; then the log and rollout history of the
 * most troubled pod's Deployment (or, with no troubled pod, of the deepest service whose calls
 * fail); then a hypothesis classified by what the pod shows. Mitigation: the rollout history of the
 * root cause; then roll back when there is an earlier revision, else restart; nothing twice. Undo:
 * restates the rollback. Usage is estimated at four characters a token.
 *
 * Run it as a server: `npx tsx evals/cassettes/scripted-model.ts` prints its base URL.
 */
import { completion, startOpenAIServer, type ChatCompletion, type ChatRequest } from "../../src/llm/openai-server.ts";
import { stageOf } from "../../src/llm/cassette.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
type Read = { tool: string; args: Record<string, Any>; result: Any };
type Reply = { content?: string; toolCalls?: Array<{ name: string; args: Record<string, unknown> }> };

const textOf = (c: unknown): string => (typeof c === "string" ? c : Array.isArray(c) ? c.map((p) => p?.text ?? "").join("") : "");
const parse = (s: string): Any => {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
};

/** The reads so far: tool calls paired with their results, or the observations handed in up front. */
function readsOf(req: ChatRequest, input: Any): Read[] {
  if (Array.isArray(input?.observations)) return input.observations;
  const results = new Map<string, string>(req.messages.filter((m) => m.role === "tool").map((m) => [m.tool_call_id, textOf(m.content)]));
  return req.messages
    .filter((m) => m.role === "assistant" && m.tool_calls)
    .flatMap((m) => m.tool_calls.map((c: Any) => ({ tool: c.function.name, args: parse(c.function.arguments) ?? {}, result: parse(results.get(c.id) ?? "") ?? results.get(c.id) })));
}

const find = (reads: Read[], tool: string, pred: (r: Read) => boolean = () => true) => reads.find((r) => r.tool === tool && pred(r));
/** "geo-5f7d8c9b4-x2k9p" → "geo": a pod's Deployment, by the ReplicaSet naming convention. */
const deploymentOfPod = (pod: string) => pod.split("-").slice(0, -2).join("-") || pod;

function troubledPod(reads: Read[]): Any | undefined {
  const pods: Any[] = find(reads, "list_pods")?.result?.pods ?? [];
  return pods.find((p) => p.phase !== "Running" || !/^(\d+)\/\1$/.test(p.ready ?? "") || (p.containers ?? []).some((c: Any) => c.waiting || (c.restarts ?? 0) > 2));
}

/** The deepest service whose incoming calls fail while its own outgoing calls do not. */
function deepestFailing(reads: Read[]): string | undefined {
  const m = find(reads, "service_metrics")?.result;
  const failing = (m?.calls ?? []).filter((c: Any) => (c.errorRatio ?? 0) > 0.05);
  const callees = failing.map((c: Any) => c.to).filter((to: string) => !failing.some((c: Any) => c.from === to));
  if (callees.length) return callees[0];
  return (m?.services ?? []).find((s: Any) => (s.errorRatio ?? 0) > 0.05 || (s.p99Seconds ?? 0) > 1)?.service;
}

function classify(pod: Any | undefined, logs: string): { layer: string; type: string; what: string } {
  const c = (pod?.containers ?? [])[0] ?? {};
  const reason = `${c.waiting ?? ""} ${c.terminated ?? ""} ${c.lastTerminated ?? ""} ${JSON.stringify(c)}`;
  if (/ImagePull|ErrImage/.test(reason)) return { layer: "virtualization", type: "operation-error", what: "its image cannot be pulled" };
  if (/OOMKilled/.test(reason)) return { layer: "virtualization", type: "resource", what: "its container is killed for memory" };
  if (pod?.unschedulable || pod?.phase === "Pending") return { layer: "virtualization", type: "misconfiguration", what: "its pod cannot be scheduled" };
  if (/CreateContainerConfigError/.test(reason)) return { layer: "application", type: "misconfiguration", what: "its container config refers to something missing" };
  if (/auth|password|credential|denied/i.test(logs)) return { layer: "application", type: "authentication", what: "it fails to authenticate" };
  if (/refused|no reachable|timeout|unreachable|no such host/i.test(logs)) return { layer: "network", type: "dependency", what: "it cannot reach a dependency" };
  if (/CrashLoopBackOff|Error/.test(reason)) return { layer: "application", type: "code-defect", what: "its container keeps crashing" };
  return { layer: "network", type: "dependency", what: "its calls fail" };
}

function diagnosis(input: Any, reads: Read[], toolsOn: boolean): Reply {
  const ns: string = input?.incident?.namespace ?? input?.namespaces?.[0];
  if (toolsOn && !find(reads, "list_pods")) {
    return { toolCalls: [{ name: "list_pods", args: { namespace: ns } }, { name: "get_events", args: { namespace: ns, type: "Warning" } }, { name: "service_metrics", args: { namespace: ns } }] };
  }
  const pod = troubledPod(reads);
  const target = pod ? deploymentOfPod(pod.name) : deepestFailing(reads) ?? input?.incident?.affected?.[0];
  if (toolsOn && target && !find(reads, "rollout_history")) {
    return { toolCalls: [{ name: "rollout_history", args: { namespace: ns, deployment: target } }, ...(pod ? [{ name: "get_logs", args: { namespace: ns, pod: pod.name, previous: (pod.containers ?? []).some((c: Any) => (c.restarts ?? 0) > 0) } }] : [])] };
  }
  const history = find(reads, "rollout_history")?.result;
  const logLines: Any[] = find(reads, "get_logs")?.result?.lines ?? [];
  const logs = logLines.map((l) => l.line).join("\n");
  const exists = history && !history.notFound;
  const c = classify(pod, logs);
  const revisions: Any[] = history?.revisions ?? [];
  const evidence = [
    ...(pod ? [{ source: "pod-status", entity: { kind: "Pod", namespace: ns, name: pod.name }, fact: `${pod.name} is ${pod.phase}, ready ${pod.ready}: ${JSON.stringify(pod.containers ?? []).slice(0, 300)}` }] : []),
    ...(logLines.length ? [{ source: "log", ...(pod ? { entity: { kind: "Pod", namespace: ns, name: pod.name } } : {}), fact: String(logLines.at(-1).line).slice(0, 300) }] : []),
    ...(revisions.length > 1 ? [{ source: "history", entity: { kind: "Deployment", namespace: ns, name: target }, fact: `revision ${revisions[0].revision} replaced revision ${revisions[1].revision}` }] : []),
  ];
  const rootCause = exists ? { kind: "Deployment", namespace: ns, name: target } : { kind: "Service", namespace: ns, name: target };
  return answer("diagnosis", {
    hypotheses: [{ rootCause, layer: c.layer, type: c.type, summary: `${target}: ${c.what}`, confidence: pod ? 0.7 : 0.4, evidence: evidence.length ? evidence : [{ source: "health", fact: `incident symptoms: ${(input?.incident?.symptoms ?? []).join(", ").slice(0, 300)}` }], facts: revisions.length > 1 ? { previousRevision: revisions[1].revision } : {} }],
    path: [...new Set([...(input?.incident?.affected ?? []), target].filter(Boolean))],
  }, toolsOn);
}

function plan(input: Any, reads: Read[], toolsOn: boolean): Reply {
  const h = input?.diagnosis?.hypotheses?.[0];
  const ns: string = h?.rootCause?.namespace ?? input?.incident?.namespace;
  const name: string | undefined = h?.rootCause?.kind === "Deployment" ? h.rootCause.name : undefined;
  if (!name) return answer("plan", { plan: null, rationale: "the root cause is not a Deployment; nothing I can roll back or restart" }, toolsOn);
  if (toolsOn && !find(reads, "rollout_history", (r) => r.args.deployment === name)) return { toolCalls: [{ name: "rollout_history", args: { namespace: ns, deployment: name } }] };
  const revisions: Any[] = find(reads, "rollout_history", (r) => r.args.deployment === name)?.result?.revisions ?? [];
  const tried = JSON.stringify(input?.attempts ?? []);
  const options = [
    ...(revisions.length > 1 ? [{ id: "roll-back", action: { type: "rollout-undo", params: { namespace: ns, name } }, why: `roll ${name} back to revision ${revisions[1].revision}, the one before the change` }] : []),
    { id: "restart", action: { type: "rollout-restart", params: { namespace: ns, name } }, why: `restart ${name}'s pods` },
  ].filter((o) => !tried.includes(o.action.type));
  const pick = options[0];
  if (!pick) return answer("plan", { plan: null, rationale: "rolling back and restarting were tried already" }, toolsOn);
  return answer("plan", { hypothesis: 0, plan: { steps: [{ id: pick.id, action: pick.action }] }, rationale: pick.why }, toolsOn);
}

function review(input: Any, toolsOn: boolean): Reply {
  const t = input?.transaction ?? {};
  return answer("review", { summary: `transaction ${t.outcome ?? "?"}: ${String(t.reason ?? "").slice(0, 200)}`, details: (t.restored ?? []).map((r: Any) => `${r.ref?.kind ?? "object"} ${r.ref?.name ?? "?"}: ${r.action ?? "restored"}`) }, toolsOn);
}

const answer = (stage: string, value: unknown, toolsOn: boolean): Reply => (toolsOn ? { toolCalls: [{ name: `extract-${stage}`, args: value as Record<string, unknown> }] } : { content: JSON.stringify(value) });

let seq = 0;
export function scriptedModel(req: ChatRequest): ChatCompletion {
  const toolsOn = (req.tools ?? []).length > 0;
  const input = parse(textOf(req.messages.find((m) => m.role === "user")?.content));
  const reads = readsOf(req, input);
  const stage = stageOf(req);
  const reply = stage === "diagnosis" ? diagnosis(input, reads, toolsOn) : stage === "plan" || stage === "mitigation" ? plan(input, reads, toolsOn) : review(input, toolsOn);
  const prompt = Math.ceil((JSON.stringify(req.messages).length + JSON.stringify(req.tools ?? []).length) / 4);
  const out = Math.ceil(JSON.stringify(reply).length / 4);
  return completion(req.model, { content: reply.content ?? null, toolCalls: (reply.toolCalls ?? []).map((c, i) => ({ id: `call_s${++seq}_${i}`, ...c })), usage: { prompt, completion: out } });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await startOpenAIServer((req) => scriptedModel(req));
  process.stdout.write(`${server.url}\n`);
}

/**
 * The embedded diagnosis reasoner. It takes a fresh Observation of the incident's namespace (with
 * the logs of failing containers and of the callers on failing edges), walks the call graph the
 * metrics show from the symptoms to the deepest failing dependency, runs every rule, and ranks
 * what they found: hypotheses about something no symptom touches lose confidence, duplicates
 * (same root cause, same type) merge. A rule that throws is named in the evidence of the result
 * and the others still count.
 */
import type { AgentContext, DiagnosisAgent } from "../../src/incident/agent.ts";
import { buildObservation } from "../observe/build.ts";
import type { ChangeTracker } from "../observe/changes.ts";
import { failingContainers, runningContainers, type LogRequest } from "../observe/logs.ts";
import { ObservationIndex } from "../observe/lookups.ts";
import type { Observation } from "../observe/types.ts";
import type { Diagnosis, Hypothesis, Incident } from "../../src/incident/types.ts";
import { walkCallGraph, type Walk } from "./call-graph.ts";
import { DEFAULT_DIAGNOSIS } from "./defaults.ts";
import type { Rule, RuleContext } from "./rule.ts";
import { RULES } from "./rules/index.ts";

export type DiagnosisOptions = { tracker?: ChangeTracker; rules?: readonly Rule[] };

export class EmbeddedDiagnosisAgent implements DiagnosisAgent {
  /** The last observation and walk, for callers that want to show their work. */
  last?: { observation: Observation; walk: Walk; errors: string[] };

  constructor(private readonly opts: DiagnosisOptions = {}) {}

  async diagnose(incident: Incident, ctx: AgentContext): Promise<Diagnosis> {
    const ns = incident.namespace;
    const obs = await buildObservation({ ...ctx, namespaces: [ns] }, { tracker: this.opts.tracker, logs: (o) => logsWorthReading(o, ns, incident) });
    return this.diagnoseObservation(incident, obs, ctx);
  }

  /** Diagnoses from an observation already taken (tests build one by hand). */
  diagnoseObservation(incident: Incident, obs: Observation, ctx: Pick<AgentContext, "baselineReplicas"> = {}): Diagnosis {
    const ns = incident.namespace;
    const idx = new ObservationIndex(obs);
    const walk = walkCallGraph(obs.edges[ns] ?? [], obs.stats[ns] ?? {}, incident.affected);
    const onset = Date.parse(incident.onsetAt) || obs.at;
    const rctx: RuleContext = { obs, idx, incident, namespace: ns, onset, walk, tracker: this.opts.tracker, baselineReplicas: ctx.baselineReplicas };
    const found: Hypothesis[] = [];
    const errors: string[] = [];
    for (const rule of this.opts.rules ?? RULES) {
      try {
        found.push(...rule.analyze(rctx));
      } catch (e) {
        errors.push(`rule ${rule.name} failed: ${(e as Error).message}`);
      }
    }
    this.last = { observation: obs, walk, errors };
    const ranked = rank(found, rctx);
    if (errors.length && ranked[0]) ranked[0] = { ...ranked[0], evidence: [...ranked[0].evidence, ...errors.map((fact) => ({ source: "health" as const, fact }))] };
    return { incidentId: incident.id, hypotheses: ranked, path: walk.path.length ? walk.path : incident.affected.slice(0, 5), reasoner: "embedded" };
  }
}

/** Ranks hypotheses: unrelated ones discounted, duplicates merged, best first, at most N. */
export function rank(found: Hypothesis[], ctx: RuleContext): Hypothesis[] {
  const related = (h: Hypothesis) => {
    const names = [h.rootCause.name, h.facts.deployment, h.facts.service, h.facts.database, h.facts.client].filter((x): x is string => typeof x === "string");
    return names.some((n) => ctx.walk.involved.has(n) || ctx.walk.suspects.includes(n) || ctx.walk.slowest.includes(n) || ctx.incident.affected.includes(n));
  };
  const adjusted = found.map((h) => (related(h) ? h : { ...h, confidence: round(h.confidence * DEFAULT_DIAGNOSIS.offPathFactor) }));
  const merged = new Map<string, Hypothesis>();
  for (const h of adjusted.sort((a, b) => b.confidence - a.confidence)) {
    const key = `${h.rootCause.kind}/${h.rootCause.name}/${h.type}/${h.facts.finding ?? ""}`;
    const prev = merged.get(key);
    if (!prev) merged.set(key, { ...h, confidence: round(h.confidence) });
    else merged.set(key, { ...prev, evidence: [...prev.evidence, ...h.evidence.filter((e) => !prev.evidence.some((p) => p.fact === e.fact))].slice(0, 20) });
  }
  const ranked = [...merged.values()].sort((a, b) => b.confidence - a.confidence);
  return withSharedClassification(ranked).slice(0, DEFAULT_DIAGNOSIS.maxHypotheses);
}

/**
 * A recent change says *which* object and *when*; a rule that explains the observed reason says
 * *what kind* of fault it is. When both name the same object, the change takes the rule's layer and
 * type (the change's own classification is a guess from the object's kind); its remedy and evidence
 * stay its own.
 */
function withSharedClassification(hs: Hypothesis[]): Hypothesis[] {
  return hs.map((h) => {
    if (h.facts.finding !== "recent-change") return h;
    const explained = hs.find((o) => o !== h && o.facts.finding !== "recent-change" && o.rootCause.kind === h.rootCause.kind && o.rootCause.name === h.rootCause.name && (o.rootCause.namespace ?? "") === (h.rootCause.namespace ?? ""));
    return explained ? { ...h, layer: explained.layer, type: explained.type } : h;
  });
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The containers whose logs say most: failing ones first, then the running containers of callers
 * on failing edges (they log what their callee answered: "Authentication failed", "connection
 * refused"), then of the services the incident names.
 */
function logsWorthReading(obs: Observation, ns: string, incident: Incident): LogRequest[] {
  const idx = new ObservationIndex(obs);
  const pods = obs.pods.filter((p) => p.metadata.namespace === ns);
  const walk = walkCallGraph(obs.edges[ns] ?? [], obs.stats[ns] ?? {}, incident.affected);
  const callers = new Set(walk.failing.map((e) => e.service));
  const podsOfNames = (names: Iterable<string>) => [...names].flatMap((n) => {
    const d = idx.deploymentForService(ns, n);
    return d ? idx.podsOf(d).slice(0, 1) : [];
  });
  return [
    ...failingContainers(pods),
    ...runningContainers(podsOfNames(callers)),
    ...runningContainers(podsOfNames(walk.suspects)),
    ...runningContainers(podsOfNames(incident.affected)),
  ];
}

/**
 * recent-change — "what changed?": the objects implicated by the symptoms (implication/) that the
 * flight recorder saw change near the onset and that differ now from their last known good
 * version. One hypothesis per such object, whose one remedy is to restore that version
 * ("restore-last-good"). Confidence comes from the evidence, not from a fault kind: how close the
 * change is to the onset, how close the object sits to the symptom, and whether its kind explains
 * the reasons the pods and events give. A change a person (not Stratus) made after the onset is
 * flagged, so its revert is held for approval.
 */
import type { Hypothesis, Layer, FaultType } from "../../../src/incident/types.ts";
import type { KubeObject } from "../../../src/kube/types.ts";
import { sameJson } from "../../observe/diff-paths.ts";
import { STRATUS_FIELD_MANAGERS } from "../../observe/defaults.ts";
import { DEFAULT_ONSET_SLACK_MS } from "../../observe/changes.ts";
import { describeChange } from "../../observe/tracked-kinds.ts";
import { DEFAULT_DIAGNOSIS } from "../defaults.ts";
import { implicate, symptomWorkloads, type Implicated } from "../implication/index.ts";
import type { Rule, RuleContext } from "../rule.ts";

/** Confidence: a base, plus what the evidence adds (at most ~0.9). */
const WEIGHTS = { base: 0.4, explains: 0.2, distance0: 0.15, distance1: 0.08, closeness: 0.15 };

export const recentChangeRule: Rule = {
  name: "recent-change",
  analyze(ctx) {
    const tracker = ctx.tracker;
    if (!tracker) return [];
    const workloads = symptomWorkloads(ctx.incident, ctx.idx, ctx.namespace);
    const { implicated } = implicate({ obs: ctx.obs, idx: ctx.idx, incident: ctx.incident, namespace: ctx.namespace, onset: ctx.onset, workloads, tracker });
    const out: Hypothesis[] = [];
    for (const imp of implicated) {
      const h = candidate(ctx, imp);
      if (h) out.push(h);
    }
    return out;
  },
};

function candidate(ctx: RuleContext, imp: Implicated): Hypothesis | undefined {
  const tracker = ctx.tracker!;
  const { kind, name } = imp.ref;
  const ns = imp.ref.namespace ?? "";
  const lkg = tracker.lastGood(kind, ns, name, ctx.onset);
  const vs = tracker.versions(kind, ns, name);
  const cur = vs.at(-1);
  if (!lkg || !cur || sameJson(lkg.version.spec, cur.spec)) return undefined;
  const change = vs[lkg.index + 1];
  const window = DEFAULT_DIAGNOSIS.changeBeforeOnsetMs;
  if (!change || change.from < ctx.onset - window || change.from > ctx.onset + DEFAULT_DIAGNOSIS.changeAfterOnsetMs) return undefined;
  const verb = !lkg.version.object ? "created" : !cur.object ? "deleted" : "changed";
  const what = verb === "changed" ? describeChange(kind, lkg.version.spec, cur.spec) : ["(object)"];
  // A restart (only the template's restartedAt stamp differs) changes pods, not what they run.
  if (kind === "Deployment" && verb === "changed" && onlyRestart(lkg.version.object, cur.object)) return undefined;
  // A person's change after the onset that is still in place: reverting it needs their say.
  const atOnset = [...vs].reverse().find((v) => v.from <= ctx.onset + DEFAULT_ONSET_SLACK_MS);
  const later = vs.filter((v) => v.from > ctx.onset + DEFAULT_ONSET_SLACK_MS && v.manager && !STRATUS_FIELD_MANAGERS.some((m) => v.manager!.startsWith(m)));
  const person = later.length > 0 && !!atOnset && !sameJson(atOnset.spec, cur.spec) ? later.at(-1)!.manager : undefined;
  const dt = change.from - ctx.onset;
  const closeness = Math.max(0, 1 - Math.abs(dt) / window);
  const confidence = WEIGHTS.base + WEIGHTS.explains * imp.explains + (imp.distance === 0 ? WEIGHTS.distance0 : imp.distance === 1 ? WEIGHTS.distance1 : 0) + WEIGHTS.closeness * closeness;
  const { layer, type } = classify(kind, verb, what);
  const when = `${Math.round(Math.abs(dt) / 1000)} s ${dt <= 0 ? "before" : "after"} the onset`;
  const by = change.manager ? ` by ${change.manager}` : "";
  const summary = `${kind} ${name} was ${verb}${verb === "changed" ? ` (${what.slice(0, 4).join(", ")})` : ""} ${when}${by}; ${imp.evidence[0]?.fact ?? "it is linked to the symptoms"}`;
  return {
    rootCause: { kind, namespace: ns || undefined, name } as Hypothesis["rootCause"],
    layer,
    type,
    summary: summary.slice(0, 500),
    confidence: Math.round(Math.min(0.9, confidence) * 1000) / 1000,
    evidence: [
      { source: "history" as const, entity: imp.ref, fact: `flight recorder: ${kind} ${ns ? `${ns}/` : ""}${name} ${verb} at ${new Date(change.from).toISOString()}${by}${change.reconstructed ? ` (reconstructed from ${change.reconstructed})` : ""}; last known good version from ${new Date(lkg.version.from).toISOString()}${lkg.version.good ? " (in place while health was good)" : ""}` },
      ...imp.evidence,
      ...(imp.explains ? [{ source: "pod-status" as const, fact: `its kind explains what the pods show (${imp.explains === 1 ? "a reason specific to it" : "a generic reason"}; distance ${imp.distance} from the symptom)` }] : []),
    ].slice(0, 20),
    facts: {
      finding: "recent-change",
      remedies: "restore-last-good",
      objectKind: kind,
      objectNamespace: ns,
      objectName: name,
      lastGoodFrom: lkg.version.from,
      changedAt: change.from,
      verb,
      distance: imp.distance,
      explains: imp.explains,
      ...(imp.workload ? { deployment: imp.workload } : {}),
      ...(change.manager ? { manager: change.manager } : {}),
      ...(person ? { personAfterOnset: person } : {}),
    },
  };
}

/** Layer and fault type from the kind of object and what changed. */
function classify(kind: string, verb: string, what: string[]): { layer: Layer; type: FaultType } {
  const deleted = verb === "deleted";
  switch (kind) {
    case "ConfigMap":
    case "Secret":
      return { layer: "application", type: deleted ? "operation-error" : "misconfiguration" };
    case "Service":
      return { layer: "virtualization", type: deleted ? "operation-error" : "misconfiguration" };
    case "NetworkPolicy":
      return { layer: "network", type: "misconfiguration" };
    case "PersistentVolumeClaim":
      return { layer: "storage", type: deleted ? "operation-error" : "misconfiguration" };
    case "ResourceQuota":
    case "LimitRange":
      return { layer: "virtualization", type: "resource" };
    case "Node":
      return { layer: "virtualization", type: what.some((w) => w.includes("taints")) ? "misconfiguration" : "operation-error" };
    case "Deployment":
      if (what.some((w) => w.startsWith("spec.replicas"))) return { layer: "virtualization", type: "operation-error" };
      if (what.some((w) => w.includes("resources"))) return { layer: "virtualization", type: "resource" };
      if (what.some((w) => w.includes(".env"))) return { layer: "application", type: "misconfiguration" };
      return { layer: "virtualization", type: "misconfiguration" };
    default:
      return { layer: "virtualization", type: deleted ? "operation-error" : "misconfiguration" };
  }
}

const RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

/** Whether two Deployment versions differ only by the pod template's restartedAt annotation. */
function onlyRestart(a: KubeObject | undefined, b: KubeObject | undefined): boolean {
  const strip = (o: KubeObject | undefined) => {
    const spec = structuredClone(o?.spec ?? {});
    if (spec.template?.metadata?.annotations) delete spec.template.metadata.annotations[RESTARTED_AT];
    if (spec.template?.metadata?.annotations && !Object.keys(spec.template.metadata.annotations).length) delete spec.template.metadata.annotations;
    return spec;
  };
  return sameJson(strip(a), strip(b));
}

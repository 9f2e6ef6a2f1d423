/**
 * From an incident's failing checks (`check:namespace/name`) and affected services to the
 * Deployments showing the symptoms, with what their pods and events say: container waiting and
 * terminated reasons (CrashLoopBackOff, CreateContainerConfigError, OOMKilled...), pod conditions
 * (Unschedulable), event reasons (FailedScheduling, FailedCreate, FailedMount, Unhealthy, BackOff)
 * and the names of the checks that fail for them. Their callers (per the inferred call graph) join
 * at distance 1, and what they dial (call-graph edges, Service names in their env and config) at
 * one more hop each, a few hops deep.
 */
import type { KubeObject } from "../../../src/kube/types.ts";
import { containerStatuses, nsOf, referencedObjects, templateContainers } from "../../observe/lookups.ts";
import { DEFAULT_DIAL_DEPTH } from "../defaults.ts";
import type { ObservationIndex } from "../../observe/lookups.ts";
import type { Incident } from "../../../src/incident/types.ts";
import type { SymptomWorkload } from "./analyzer.ts";

/** Event reasons that say why a workload's pods do not run. */
const EVENT_REASONS = new Set(["FailedScheduling", "FailedCreate", "FailedMount", "FailedAttachVolume", "Unhealthy", "BackOff", "Failed", "FailedPostStartHook", "Evicted", "OOMKilling"]);

export function symptomWorkloads(incident: Incident, idx: ObservationIndex, ns: string, maxDepth = DEFAULT_DIAL_DEPTH): SymptomWorkload[] {
  const serviceNames = idx.obs.services.filter((s) => (s.metadata.namespace ?? "") === ns).map((s) => s.metadata.name);
  const out = new Map<string, SymptomWorkload>();
  const add = (d: KubeObject | undefined, distance: number, reason?: string) => {
    if (!d || nsOf(d) !== ns) return;
    const w = out.get(d.metadata.name) ?? { deployment: d, distance, reasons: reasonsOf(d, idx) };
    w.distance = Math.min(w.distance, distance);
    if (reason) w.reasons.add(reason);
    out.set(d.metadata.name, w);
  };
  for (const k of incident.checks ?? []) {
    const m = /^([^:]+):([^/]+)\/(.+)$/.exec(k);
    if (!m || m[2] !== ns) continue;
    add(idx.deployment(ns, m[3]) ?? idx.deploymentForService(ns, m[3]), 0, m[1]);
  }
  for (const a of incident.affected) add(idx.deployment(ns, a) ?? idx.deploymentForService(ns, a), 0);
  for (const w of [...out.values()].filter((x) => x.distance === 0)) {
    for (const svc of idx.servicesOf(w.deployment).map((s) => s.metadata.name).concat(w.deployment.metadata.name)) {
      for (const e of idx.edgesInto(ns, svc)) add(idx.deploymentForService(ns, e.service), 1);
    }
  }
  // What they dial, and what that dials, a few hops deep: a symptom at the entry often starts deeper.
  let frontier = [...out.values()];
  for (let depth = 1; depth <= maxDepth && frontier.length; depth++) {
    const next: SymptomWorkload[] = [];
    for (const w of frontier) {
      for (const callee of dialled(idx, ns, w.deployment, serviceNames)) {
        const d = idx.deploymentForService(ns, callee);
        if (!d || out.has(d.metadata.name)) continue;
        add(d, w.distance + 1);
        next.push(out.get(d.metadata.name)!);
      }
    }
    frontier = next;
  }
  return [...out.values()];
}

/**
 * The Services a workload dials: callees on its outgoing call-graph edges, and Service names that
 * appear in its environment, arguments or the ConfigMaps it reads.
 */
export function dialled(idx: ObservationIndex, ns: string, d: KubeObject, serviceNames: readonly string[]): string[] {
  const out = new Set<string>();
  for (const svc of idx.servicesOf(d).map((s) => s.metadata.name).concat(d.metadata.name)) for (const e of idx.edgesOutOf(ns, svc)) out.add(e.callee);
  const text = dialledText(idx, ns, d);
  for (const name of serviceNames) if (name !== d.metadata.name && mentions(text, name)) out.add(name);
  return [...out];
}

/** Whether `text` names `name` as a whole word (a host name, not part of a longer one). */
export const mentions = (text: string, name: string): boolean => new RegExp(`(^|[^\\w-])${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}([^\\w-]|$)`).test(text);

/** The text a workload dials from: its env values, command and args, and the data of the ConfigMaps it reads. */
export function dialledText(idx: ObservationIndex, ns: string, d: KubeObject): string {
  const parts: string[] = [];
  for (const c of templateContainers(d)) {
    for (const e of c.env ?? []) if (typeof e.value === "string") parts.push(e.value);
    for (const a of [...(c.args ?? []), ...(c.command ?? [])]) if (typeof a === "string") parts.push(a);
  }
  for (const name of referencedObjects(d).configMaps) {
    for (const v of Object.values(idx.configMap(ns, name)?.data ?? {})) if (typeof v === "string") parts.push(v);
  }
  return parts.join("\n");
}

function reasonsOf(d: KubeObject, idx: ObservationIndex): Set<string> {
  const reasons = new Set<string>();
  for (const p of idx.podsOf(d)) {
    if (p.status?.phase === "Pending") reasons.add("Pending");
    for (const c of p.status?.conditions ?? []) if (c.type === "PodScheduled" && c.status === "False" && c.reason) reasons.add(String(c.reason));
    for (const s of containerStatuses(p)) {
      for (const st of [s.state?.waiting, s.state?.terminated, s.lastState?.terminated]) if (st?.reason) reasons.add(String(st.reason));
    }
  }
  for (const e of idx.eventsForDeployment(d)) if (e.type === "Warning" && EVENT_REASONS.has(String(e.reason))) reasons.add(String(e.reason));
  if ((d.spec?.replicas ?? 1) === 0) reasons.add("ScaledToZero");
  return reasons;
}

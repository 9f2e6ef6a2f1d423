/**
 * Chaos Mesh objects as the workload sees them. Every sandbox registers the
 * chaos-mesh.org/v1alpha1 kinds NetworkChaos and StressChaos; while one exists (not paused, within
 * its `duration`), the pods its selector picks get its effect on their traffic: delay (latency
 * plus jitter), loss or partition (a share of packets dropped: requests time out), or CPU stress
 * (cores burnt next to the app, slowing it down). Deleting the object ends the effect, as the
 * chaos daemon's recovery does.
 */
import type { CustomResourceSpec } from "../api/resources.ts";
import { labelSelectorFromObject, matchesLabelSelector, selectorFromMap } from "../api/selectors.ts";
import type { KObject } from "../api/types.ts";

export const CHAOS_GROUP = "chaos-mesh.org";
export const CHAOS_VERSION = "v1alpha1";
export const CHAOS_RESOURCES: CustomResourceSpec[] = [
  { group: CHAOS_GROUP, version: CHAOS_VERSION, kind: "NetworkChaos", plural: "networkchaos", singular: "networkchaos", hasStatus: true },
  { group: CHAOS_GROUP, version: CHAOS_VERSION, kind: "StressChaos", plural: "stresschaos", singular: "stresschaos", hasStatus: true },
];
const PAUSE_ANNOTATION = "experiment.chaos-mesh.org/pause";

export type PodEffects = { delayMs: number; jitterMs: number; loss: number; cpuCores: number; memoryBytes: number };
export const NO_EFFECTS: PodEffects = { delayMs: 0, jitterMs: 0, loss: 0, cpuCores: 0, memoryBytes: 0 };

/** The pods a chaos object can pick from, as the workload knows them. */
export type ChaosPod = { uid: string; name: string; namespace: string; labels: Record<string, string> };

/** Go duration ("1h30m", "200ms", "1.5s") in ms; undefined when unreadable. */
export function parseGoDuration(s: unknown): number | undefined {
  if (typeof s === "number") return s;
  if (typeof s !== "string" || !s.trim()) return undefined;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = s.trim();
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * units[m[2]];
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** Bytes from a stress-ng size ("256MB", "1GB", "512Mi"). */
function parseSize(s: unknown): number {
  const m = typeof s === "string" ? /^(\d+(?:\.\d+)?)\s*([KMG]i?B?|B)?$/i.exec(s.trim()) : null;
  if (!m) return 0;
  const unit = (m[2] ?? "B").toUpperCase().replace(/I?B$/, "");
  return Number(m[1]) * ({ "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[unit] ?? 1);
}

/** Whether a chaos object is in effect now. */
export function chaosActive(obj: KObject, now: number): boolean {
  if (obj.metadata.deletionTimestamp) return false;
  if (obj.metadata.annotations?.[PAUSE_ANNOTATION] === "true") return false;
  const duration = parseGoDuration(obj.spec?.duration);
  if (duration === undefined) return true;
  const created = Date.parse(obj.metadata.creationTimestamp ?? "");
  return !Number.isFinite(created) || now < created + duration;
}

/** The pods a chaos selector and mode pick, deterministically (sorted by name). */
export function selectedPods(obj: KObject, pods: ChaosPod[]): ChaosPod[] {
  const sel = obj.spec?.selector ?? {};
  const namespaces: string[] = Array.isArray(sel.namespaces) && sel.namespaces.length ? sel.namespaces : [obj.metadata.namespace ?? "default"];
  let picked = pods.filter((p) => namespaces.includes(p.namespace));
  if (sel.labelSelectors && typeof sel.labelSelectors === "object") {
    const s = selectorFromMap(sel.labelSelectors);
    picked = picked.filter((p) => matchesLabelSelector(s, p.labels));
  }
  if (Array.isArray(sel.expressionSelectors) && sel.expressionSelectors.length) {
    try {
      const s = labelSelectorFromObject({ matchExpressions: sel.expressionSelectors });
      picked = picked.filter((p) => matchesLabelSelector(s, p.labels));
    } catch {
      picked = [];
    }
  }
  if (sel.pods && typeof sel.pods === "object") {
    const named = sel.pods as Record<string, string[]>;
    picked = picked.filter((p) => (named[p.namespace] ?? []).includes(p.name));
  }
  picked.sort((a, b) => (a.name < b.name ? -1 : 1));
  const mode = String(obj.spec?.mode ?? "all");
  const value = Number(obj.spec?.value ?? 1);
  const n = picked.length;
  switch (mode) {
    case "one": return picked.slice(0, 1);
    case "fixed": return picked.slice(0, Math.max(0, Math.floor(value)));
    case "fixed-percent": case "random-max-percent": return picked.slice(0, Math.ceil((n * Math.min(100, Math.max(0, value))) / 100));
    default: return picked;
  }
}

/** Effects per pod uid of every active chaos object. */
export function chaosEffects(objects: KObject[], pods: ChaosPod[], now: number): Map<string, PodEffects> {
  const out = new Map<string, PodEffects>();
  const add = (uid: string, e: Partial<PodEffects>) => {
    const cur = out.get(uid) ?? { ...NO_EFFECTS };
    cur.delayMs += e.delayMs ?? 0;
    cur.jitterMs += e.jitterMs ?? 0;
    cur.loss = 1 - (1 - cur.loss) * (1 - (e.loss ?? 0));
    cur.cpuCores += e.cpuCores ?? 0;
    cur.memoryBytes += e.memoryBytes ?? 0;
    out.set(uid, cur);
  };
  for (const obj of objects) {
    if (!chaosActive(obj, now)) continue;
    const effect = effectOf(obj);
    if (!effect) continue;
    for (const p of selectedPods(obj, pods)) add(p.uid, effect);
  }
  return out;
}

function effectOf(obj: KObject): Partial<PodEffects> | undefined {
  const spec = obj.spec ?? {};
  if (obj.kind === "StressChaos") {
    const cpu = spec.stressors?.cpu;
    const mem = spec.stressors?.memory;
    const cpuCores = cpu ? Math.max(0, Number(cpu.workers ?? 1)) * Math.min(100, Math.max(0, Number(cpu.load ?? 100))) / 100 : 0;
    const memoryBytes = mem ? Math.max(0, Number(mem.workers ?? 1)) * parseSize(mem.size ?? "256MB") : 0;
    return { cpuCores: Number.isFinite(cpuCores) ? cpuCores : 0, memoryBytes };
  }
  if (obj.kind !== "NetworkChaos") return undefined;
  const percent = (v: unknown) => Math.min(1, Math.max(0, Number.parseFloat(String(v ?? "0")) / 100 || 0));
  switch (spec.action) {
    case "delay": return { delayMs: parseGoDuration(spec.delay?.latency) ?? 0, jitterMs: parseGoDuration(spec.delay?.jitter) ?? 0 };
    case "loss": return { loss: percent(spec.loss?.loss) };
    case "corrupt": return { loss: percent(spec.corrupt?.corrupt) };
    case "partition": return { loss: 1 };
    default: return undefined;
  }
}

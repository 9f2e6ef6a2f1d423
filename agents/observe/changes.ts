/**
 * The change tracker: compares each observation with the previous one and remembers what changed
 * and when — a Secret's key, a ConfigMap's key, a Service's ports or selector, a Deployment's
 * replicas or pod template, a NetworkPolicy or chaos object appearing — so diagnosis can say
 * "Secret mongodb-geo-users changed 40 s before onset" and mitigation can revert to the value an
 * object had before. Earlier versions are kept in memory only (a few per object); Secret values in
 * them are never exposed except through `valueBefore`, for a revert. A change is only knowable
 * from the second observation on: the first is the baseline.
 */
import type { KubeObject } from "../../src/kube/types.ts";
import { DEFAULT_MAX_CHANGES, DEFAULT_VERSIONS_PER_OBJECT } from "./defaults.ts";
import { diffPaths, sameJson } from "./diff-paths.ts";
import { secretKeys, secretValue } from "./secrets.ts";
import type { ObservedChange } from "./types.ts";

/** The kinds whose changes matter to a diagnosis, with the part of each that is "the spec". */
const TRACKED: Record<string, (o: KubeObject) => unknown> = {
  Deployment: (o) => o.spec ?? {},
  Service: (o) => ({ ports: o.spec?.ports, selector: o.spec?.selector, type: o.spec?.type }),
  ConfigMap: (o) => ({ data: o.data ?? {}, binaryData: o.binaryData ?? {} }),
  Secret: (o) => Object.fromEntries(secretKeys(o).map((k) => [k, secretValue(o, k)])),
  NetworkPolicy: (o) => o.spec ?? {},
  PersistentVolumeClaim: (o) => ({ storageClassName: o.spec?.storageClassName, resources: o.spec?.resources, accessModes: o.spec?.accessModes }),
  Node: (o) => ({ labels: o.metadata.labels ?? {}, unschedulable: o.spec?.unschedulable ?? false, taints: o.spec?.taints ?? [] }),
  StorageClass: (o) => ({ provisioner: o.provisioner }),
};
const trackedSpec = (o: KubeObject) => (TRACKED[o.kind] ?? ((x: KubeObject) => x.spec ?? {}))(o);

type Version = { from: number; to: number; object: KubeObject; spec: unknown };
type Track = { kind: string; namespace: string; name: string; versions: Version[]; deletedAt?: number };

export type TrackerOptions = { maxChanges?: number; versionsPerObject?: number };

export class ChangeTracker {
  private readonly tracks = new Map<string, Track>();
  private readonly log: ObservedChange[] = [];
  private lastAt?: number;
  private readonly maxChanges: number;
  private readonly keep: number;

  constructor(opts: TrackerOptions = {}) {
    this.maxChanges = opts.maxChanges ?? DEFAULT_MAX_CHANGES;
    this.keep = opts.versionsPerObject ?? DEFAULT_VERSIONS_PER_OBJECT;
  }

  /**
   * Feeds one observation's objects (Secrets raw: the tracker is the only holder of their values)
   * taken at `at`; returns the changes it reveals. An observation older than the last one is
   * ignored (two observers may race). `listedKinds` are the kinds whose lists succeeded: only an
   * object of a listed kind that is missing counts as deleted (a failed list is not a deletion).
   */
  record(at: number, objects: KubeObject[], listedKinds: Iterable<string>): ObservedChange[] {
    if (this.lastAt !== undefined && at < this.lastAt) return [];
    const first = this.lastAt === undefined;
    const since = this.lastAt ?? at;
    const seen = new Set<string>();
    const found: ObservedChange[] = [];
    const kindsSeen = new Set(listedKinds);
    for (const o of objects) {
      if (!(o.kind in TRACKED) && !o.apiVersion.startsWith("chaos-mesh.org/")) continue;
      const key = keyOf(o.kind, o.metadata.namespace ?? "", o.metadata.name);
      seen.add(key);
      const spec = trackedSpec(o);
      const t = this.tracks.get(key);
      if (!t || t.deletedAt !== undefined) {
        const track: Track = t ?? { kind: o.kind, namespace: o.metadata.namespace ?? "", name: o.metadata.name, versions: [] };
        track.deletedAt = undefined;
        track.versions.push({ from: at, to: at, object: o, spec });
        this.trim(track);
        this.tracks.set(key, track);
        if (!first) found.push(this.change(at, since, track, "created", ["(object)"]));
        continue;
      }
      const cur = t.versions[t.versions.length - 1];
      if (sameJson(cur.spec, spec)) {
        cur.to = at;
        cur.object = o;
        continue;
      }
      const what = describeChange(o.kind, cur.spec, spec);
      t.versions.push({ from: at, to: at, object: o, spec });
      this.trim(t);
      found.push(this.change(at, since, t, "updated", what));
    }
    if (!first) {
      for (const [key, t] of this.tracks) {
        if (seen.has(key) || t.deletedAt !== undefined || !kindsSeen.has(t.kind)) continue;
        t.deletedAt = at;
        found.push(this.change(at, since, t, "deleted", ["(object)"]));
      }
    }
    this.log.push(...found);
    if (this.log.length > this.maxChanges) this.log.splice(0, this.log.length - this.maxChanges);
    this.lastAt = at;
    return found;
  }

  /** Every change remembered, oldest first; optionally only those at or after `since`. */
  changes(since = -Infinity): ObservedChange[] {
    return this.log.filter((c) => c.at >= since);
  }

  /** Whether the tracker has seen at least one observation before `t` (so it could see changes after it). */
  sawBefore(t: number): boolean {
    for (const tr of this.tracks.values()) if (tr.versions[0] && tr.versions[0].from < t) return true;
    return false;
  }

  /**
   * The object as it last was before `t` (ms): the newest version first seen before `t`.
   * Secrets come back raw: callers must not log them.
   */
  objectBefore(kind: string, namespace: string, name: string, t: number): KubeObject | undefined {
    const track = this.tracks.get(keyOf(kind, namespace, name));
    if (!track) return undefined;
    const v = [...track.versions].reverse().find((x) => x.from < t);
    return v?.object;
  }

  /**
   * The object as it was before the last change seen up to `t + slackMs`: the last good version
   * when that change caused an incident with onset `t` (a change is often observed a little before
   * or after the first symptom). Undefined when the tracker saw no change by then. Secrets come
   * back raw: callers must not log them.
   */
  priorVersion(kind: string, namespace: string, name: string, t: number, slackMs = DEFAULT_PRIOR_SLACK_MS): KubeObject | undefined {
    const track = this.tracks.get(keyOf(kind, namespace, name));
    if (!track) return undefined;
    let k = -1;
    track.versions.forEach((v, i) => {
      if (v.from <= t + slackMs) k = i;
    });
    return k > 0 ? track.versions[k - 1].object : undefined;
  }

  /** A ConfigMap's or Secret's `key` in `priorVersion`; undefined when unknown or absent then. */
  priorValue(kind: "ConfigMap" | "Secret", namespace: string, name: string, key: string, t: number, slackMs?: number): string | undefined {
    return valueOf(this.priorVersion(kind, namespace, name, t, slackMs), key);
  }

  /** A ConfigMap's or Secret's `key` as last observed. */
  currentValue(kind: "ConfigMap" | "Secret", namespace: string, name: string, key: string): string | undefined {
    const track = this.tracks.get(keyOf(kind, namespace, name));
    return track && track.deletedAt === undefined ? valueOf(track.versions[track.versions.length - 1]?.object, key) : undefined;
  }

  private change(at: number, since: number, t: Track, verb: ObservedChange["verb"], what: string[]): ObservedChange {
    return { at, since, kind: t.kind, namespace: t.namespace, name: t.name, verb, what };
  }

  private trim(t: Track): void {
    if (t.versions.length > this.keep) t.versions.splice(0, t.versions.length - this.keep);
  }
}

const keyOf = (kind: string, ns: string, name: string) => `${kind}/${ns}/${name}`;

/** A change observed up to this long after an onset may still be its cause (observations are seconds apart). */
export const DEFAULT_PRIOR_SLACK_MS = 90_000;

function changedKeys(before: unknown, after: unknown): string[] {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  return [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !sameJson(b[k], a[k])).sort();
}

function valueOf(o: KubeObject | undefined, key: string): string | undefined {
  if (!o) return undefined;
  if (o.kind === "Secret") return secretValue(o, key);
  const v = o.data?.[key];
  return typeof v === "string" ? v : undefined;
}

/** What changed, in words; Secret and ConfigMap values are named by key only. */
function describeChange(kind: string, before: unknown, after: unknown): string[] {
  // Keys may contain dots ("config.json"): compare key by key rather than by dotted path.
  if (kind === "Secret") return changedKeys(before, after).map((k) => `data.${k}`);
  if (kind === "ConfigMap") {
    const b = before as { data?: Record<string, unknown>; binaryData?: Record<string, unknown> };
    const a = after as typeof b;
    return [...changedKeys(b.data, a.data).map((k) => `data.${k}`), ...changedKeys(b.binaryData, a.binaryData).map((k) => `binaryData.${k}`)];
  }
  const paths = diffPaths(before, after, "spec", 12);
  if (kind === "Deployment") {
    const b = before as { replicas?: number };
    const a = after as { replicas?: number };
    return paths.map((p) => (p === "spec.replicas" ? `spec.replicas ${b.replicas ?? 1} → ${a.replicas ?? 1}` : p));
  }
  return paths;
}

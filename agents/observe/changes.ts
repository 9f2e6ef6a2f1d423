/**
 * The change tracker — Stratus's flight recorder. It compares each observation with the previous
 * one and keeps, per watched object (Deployments, Services, ConfigMaps, Secrets, NetworkPolicies,
 * Nodes, PVCs, ResourceQuotas, LimitRanges, HPAs, ServiceAccounts, chaos objects), a bounded ring
 * of recent versions — creations and deletions included, as "absent" versions — with who wrote
 * each (the managedFields manager) and when, and which of them was in place while health was good
 * (`markGood`, fed by the detector): the *last known good* version a revert goes back to. So
 * diagnosis can say "Secret mongodb-geo-users changed 40 s before onset" and mitigation can restore
 * it. Everything stays in memory, bounded per object and in total. Secret values are never exposed
 * except through `priorValue`/`lastGood`, for a revert; change descriptions name keys only. A
 * watchdog that starts after a change reconstructs what it can (`reconstruct.ts`).
 */
import type { KubeObject } from "../../src/kube/types.ts";
import { DEFAULT_MAX_CHANGES, DEFAULT_MAX_TRACKED_OBJECTS, DEFAULT_VERSIONS_PER_OBJECT } from "./defaults.ts";
import { sameJson } from "./diff-paths.ts";
import { secretValue } from "./secrets.ts";
import { describeChange, isTracked, latestWrite, trackedSpec } from "./tracked-kinds.ts";
import type { ObservedChange } from "./types.ts";

/** One version of an object: present (with the object) or absent (before creation, after deletion). */
export type Version = {
  /** Clock time (ms) of the first observation that saw this version, or of its reconstruction. */
  from: number;
  /** Clock time of the last observation that saw it. */
  to: number;
  object?: KubeObject;
  spec: unknown;
  /** The field manager of the write that made this version, when the server says. */
  manager?: string;
  /** When that write happened, by managedFields (ms), when known. */
  writtenAt?: number;
  /** Seen in place while health was good. */
  good?: boolean;
  /** Reconstructed from what the cluster keeps (not observed). */
  reconstructed?: string;
};
type Track = { kind: string; namespace: string; name: string; versions: Version[]; deletedAt?: number };

export type TrackerOptions = { maxChanges?: number; versionsPerObject?: number; maxObjects?: number };
export type TrackedRef = { kind: string; namespace: string; name: string };

export class ChangeTracker {
  private readonly tracks = new Map<string, Track>();
  private readonly log: ObservedChange[] = [];
  private lastAt?: number;
  private readonly maxChanges: number;
  private readonly keep: number;
  private readonly maxObjects: number;

  constructor(opts: TrackerOptions = {}) {
    this.maxChanges = opts.maxChanges ?? DEFAULT_MAX_CHANGES;
    this.keep = opts.versionsPerObject ?? DEFAULT_VERSIONS_PER_OBJECT;
    this.maxObjects = opts.maxObjects ?? DEFAULT_MAX_TRACKED_OBJECTS;
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
      if (!isTracked(o)) continue;
      const key = keyOf(o.kind, o.metadata.namespace ?? "", o.metadata.name);
      seen.add(key);
      const spec = trackedSpec(o);
      const w = latestWrite(o);
      const t = this.tracks.get(key);
      if (!t || t.deletedAt !== undefined) {
        const track: Track = t ?? { kind: o.kind, namespace: o.metadata.namespace ?? "", name: o.metadata.name, versions: [] };
        track.deletedAt = undefined;
        // Created after the first observation: it was absent before (a version a revert can restore).
        if (!first && !t) track.versions.push({ from: since, to: since, spec: undefined });
        track.versions.push({ from: at, to: at, object: o, spec, ...writer(w) });
        this.trim(track);
        this.tracks.set(key, track);
        if (!first) found.push(this.change(at, since, track, "created", ["(object)"], w?.manager));
        continue;
      }
      const cur = t.versions[t.versions.length - 1];
      if (sameJson(cur.spec, spec)) {
        cur.to = at;
        cur.object = o;
        continue;
      }
      const what = describeChange(o.kind, cur.spec, spec);
      t.versions.push({ from: at, to: at, object: o, spec, ...writer(w) });
      this.trim(t);
      found.push(this.change(at, since, t, "updated", what, w?.manager));
    }
    if (!first) {
      for (const [key, t] of this.tracks) {
        if (seen.has(key) || t.deletedAt !== undefined || !kindsSeen.has(t.kind)) continue;
        t.deletedAt = at;
        t.versions.push({ from: at, to: at, spec: undefined });
        this.trim(t);
        found.push(this.change(at, since, t, "deleted", ["(object)"]));
      }
    }
    this.log.push(...found);
    if (this.log.length > this.maxChanges) this.log.splice(0, this.log.length - this.maxChanges);
    this.lastAt = at;
    this.bound();
    return found;
  }

  /**
   * Marks what is in place now as good for the objects of `namespaces` (health there was good at
   * the last observation); `clusterScoped` also marks cluster-scoped objects (Nodes), which only
   * a fully healthy scope vouches for.
   */
  markGood(namespaces: Iterable<string>, clusterScoped = false, settleMs = DEFAULT_GOOD_SETTLE_MS): void {
    const nss = new Set(namespaces);
    const now = this.lastAt ?? 0;
    for (const t of this.tracks.values()) {
      if (t.namespace ? !nss.has(t.namespace) : !clusterScoped) continue;
      const v = t.versions[t.versions.length - 1];
      // Only a version that has stood a while: a change takes some seconds to hurt.
      if (v && now - v.from >= settleMs) v.good = true;
    }
  }

  /**
   * Adds a version the watchdog did not observe but the cluster shows (see reconstruct.ts) just
   * before the current one, so a watchdog that started after a change still knows what was there.
   */
  addReconstructed(ref: TrackedRef, before: { object?: KubeObject; at: number; why: string }): void {
    const t = this.tracks.get(keyOf(ref.kind, ref.namespace, ref.name));
    if (!t || t.versions.length !== 1) return;
    const cur = t.versions[0];
    const spec = before.object ? trackedSpec(before.object) : undefined;
    if (sameJson(spec, cur.spec)) return;
    t.versions.unshift({ from: before.at - 1, to: before.at - 1, object: before.object, spec, good: true, reconstructed: before.why });
    cur.from = Math.min(cur.from, before.at);
    const what = before.object ? describeChange(t.kind, spec, cur.spec) : ["(object)"];
    this.log.push({ at: before.at, since: before.at, kind: t.kind, namespace: t.namespace, name: t.name, verb: before.object ? "updated" : "created", what, ...(cur.manager ? { manager: cur.manager } : {}) });
    this.log.sort((a, b) => a.at - b.at);
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

  /** The versions remembered for one object, oldest first (a copy; Secrets raw: do not log). */
  versions(kind: string, namespace: string, name: string): Version[] {
    return [...(this.tracks.get(keyOf(kind, namespace, name))?.versions ?? [])];
  }

  /** Objects of `namespace` (and cluster-scoped ones) that changed between `from` and `to`, ms. */
  changedBetween(namespace: string, from: number, to: number): TrackedRef[] {
    const out = new Map<string, TrackedRef>();
    for (const c of this.log) if (c.at >= from && c.at <= to && (c.namespace === namespace || c.namespace === "")) out.set(keyOf(c.kind, c.namespace, c.name), { kind: c.kind, namespace: c.namespace, name: c.name });
    return [...out.values()];
  }

  /**
   * The last known good version of an object for an incident with onset `onset`: the newest
   * version marked good that came before the one in place at the onset (the one in place then is
   * the suspect, even if health had not yet turned when it was marked); failing that, the version
   * just before it. Undefined when nothing before it is known. A version with no `object` means
   * the object did not exist then. Secrets come back raw: callers must not log them.
   */
  lastGood(kind: string, namespace: string, name: string, onset: number, slackMs = DEFAULT_ONSET_SLACK_MS): { version: Version; index: number } | undefined {
    const vs = this.tracks.get(keyOf(kind, namespace, name))?.versions ?? [];
    let atOnset = -1;
    vs.forEach((v, i) => {
      if (v.from <= onset + slackMs) atOnset = i;
    });
    if (atOnset <= 0) return undefined;
    for (let i = atOnset - 1; i >= 0; i--) if (vs[i].good) return { version: vs[i], index: i };
    return { version: vs[atOnset - 1], index: atOnset - 1 };
  }

  /** The version in place now (absent after a deletion). */
  current(kind: string, namespace: string, name: string): Version | undefined {
    return this.tracks.get(keyOf(kind, namespace, name))?.versions.at(-1);
  }

  /** Every object of `kind` the tracker knows in `namespace`, deleted ones included. */
  known(kind: string, namespace: string): TrackedRef[] {
    return [...this.tracks.values()].filter((t) => t.kind === kind && t.namespace === namespace).map((t) => ({ kind: t.kind, namespace: t.namespace, name: t.name }));
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

  /** How many objects and versions are held (for the benchmark and /metrics). */
  size(): { objects: number; versions: number; changes: number } {
    let versions = 0;
    for (const t of this.tracks.values()) versions += t.versions.length;
    return { objects: this.tracks.size, versions, changes: this.log.length };
  }

  private change(at: number, since: number, t: Track, verb: ObservedChange["verb"], what: string[], manager?: string): ObservedChange {
    return { at, since, kind: t.kind, namespace: t.namespace, name: t.name, verb, what, ...(manager ? { manager } : {}) };
  }

  /** Keeps the newest versions, and the newest good one even when older than those. */
  private trim(t: Track): void {
    if (t.versions.length <= this.keep) return;
    let goodIdx = -1;
    t.versions.forEach((v, i) => {
      if (v.good && i < t.versions.length - 1) goodIdx = i;
    });
    const tail = t.versions.slice(-(this.keep - 1));
    const pinned = goodIdx >= 0 && goodIdx < t.versions.length - (this.keep - 1) ? t.versions[goodIdx] : t.versions[t.versions.length - this.keep];
    t.versions = [pinned, ...tail];
  }

  /** Over the total bound, forgets deleted objects first (oldest deletion first), then the oldest seen. */
  private bound(): void {
    if (this.tracks.size <= this.maxObjects) return;
    const order = [...this.tracks.entries()].sort(([, a], [, b]) => (a.deletedAt === undefined ? 1 : 0) - (b.deletedAt === undefined ? 1 : 0) || (a.versions.at(-1)?.to ?? 0) - (b.versions.at(-1)?.to ?? 0));
    for (const [key] of order.slice(0, this.tracks.size - this.maxObjects)) this.tracks.delete(key);
  }
}

const keyOf = (kind: string, ns: string, name: string) => `${kind}/${ns}/${name}`;
const writer = (w: { manager: string; at: number } | undefined) => (w ? { manager: w.manager, writtenAt: w.at } : {});

/** A change observed up to this long after an onset may still be its cause (observations are seconds apart). */
export const DEFAULT_PRIOR_SLACK_MS = 90_000;
/** For the last known good version: a change observed this soon after the onset was in place at it. */
export const DEFAULT_ONSET_SLACK_MS = 30_000;
/** A version counts as good once health was good with it in place for this long. */
export const DEFAULT_GOOD_SETTLE_MS = 30_000;

function valueOf(o: KubeObject | undefined, key: string): string | undefined {
  if (!o) return undefined;
  if (o.kind === "Secret") return secretValue(o, key);
  const v = o.data?.[key];
  return typeof v === "string" ? v : undefined;
}

/**
 * The hysteresis window: a symptom becomes "confirmed" only when it has been seen in enough
 * observations over a long enough time (status symptoms hold shorter than metric ones, which must
 * outlast a traffic spike and a rate window). A symptom that drops out for a moment (a crash loop
 * caught while its container briefly runs) keeps its history within the gap tolerance; one gone
 * longer is forgotten, so a problem that comes back starts its clock again.
 */
import type { DetectionSettings } from "./defaults.ts";
import type { Symptom } from "./signal.ts";

export type Tracked = {
  symptom: Symptom;
  /** First observation that saw it (ms), moved forward by `rebase`. */
  firstSeen: number;
  lastSeen: number;
  /** Observations that saw it since firstSeen. */
  seen: number;
  /** The detector's previous observation before firstSeen: the symptom began after it. */
  clearAt?: number;
};

export class SymptomWindow {
  private readonly tracked = new Map<string, Tracked>();
  private lastAt?: number;

  /** Feeds one observation's symptoms. */
  update(at: number, symptoms: Symptom[], settings: DetectionSettings): void {
    const now = new Set<string>();
    for (const s of symptoms) {
      now.add(s.key);
      const t = this.tracked.get(s.key);
      if (!t) this.tracked.set(s.key, { symptom: s, firstSeen: at, lastSeen: at, seen: 1, ...(this.lastAt !== undefined ? { clearAt: this.lastAt } : {}) });
      else Object.assign(t, { symptom: s, lastSeen: at, seen: t.seen + 1 });
    }
    for (const [k, t] of this.tracked) if (!now.has(k) && at - t.lastSeen > settings.gapToleranceMs) this.tracked.delete(k);
    this.lastAt = at;
  }

  /** Symptoms seen in the latest observation or within the gap tolerance. */
  active(): Tracked[] {
    return [...this.tracked.values()];
  }

  /** Seen in the latest observation (at `at`), often enough and for long enough. */
  confirmed(at: number, settings: DetectionSettings, notBefore: (t: Tracked) => number = () => -Infinity): Tracked[] {
    return this.active().filter((t) => {
      if (t.lastSeen !== at) return false;
      const s = t.symptom;
      const hold = s.holdMs ?? (s.class === "metric" ? settings.metricHoldMs : settings.statusHoldMs);
      const min = s.minObservations ?? settings.minObservations;
      const start = Math.max(t.firstSeen, notBefore(t));
      return t.seen >= min && at - start >= hold;
    });
  }

  /** Restarts the clocks of a namespace's symptoms at `at` (after an incident closes: they must hold again). */
  rebase(namespace: string, at: number): void {
    for (const t of this.tracked.values()) {
      if (t.symptom.namespace !== namespace || t.firstSeen >= at) continue;
      t.firstSeen = at;
      t.seen = 0;
      t.clearAt = undefined;
    }
  }

  /**
   * The onset of a tracked symptom: the cluster's own timestamp for it when that falls between the
   * last observation that did not see it and the first that did (a container's exit, a pod's
   * creation); an older timestamp belongs to something else (a pod created long before it failed),
   * so then the first observation that saw it. Without an earlier observation, the timestamp.
   */
  static onset(t: Tracked): number {
    const since = t.symptom.since;
    if (since === undefined || since >= t.firstSeen) return t.firstSeen;
    if (t.clearAt === undefined) return since;
    return since > t.clearAt ? since : t.firstSeen;
  }
}

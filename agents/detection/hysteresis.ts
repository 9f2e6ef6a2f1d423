/**
 * The hysteresis window over health reports: a failing check result becomes "confirmed" only when
 * it has failed in enough observations over a long enough time (failures read from object status
 * hold shorter than those read from metric rates, which must outlast a traffic spike and a rate
 * window; an alert has held in its source already). A failure that drops out for a moment (a crash
 * loop caught while its container briefly runs) keeps its history within the gap tolerance; one
 * gone longer is forgotten, so a problem that comes back starts its clock again.
 */
import type { DetectionSettings } from "./defaults.ts";
import type { Failure } from "./failure.ts";

export type Tracked = {
  failure: Failure;
  /** First observation that saw it fail (ms), moved forward by `rebase`. */
  firstSeen: number;
  lastSeen: number;
  /** Observations that saw it fail since firstSeen. */
  seen: number;
};

/** How long a failure must hold and in how many observations, by its check and source. */
export function holdOf(f: Failure, s: DetectionSettings): { holdMs: number; minObservations: number } {
  if (f.source === "alert") return { holdMs: 0, minObservations: 1 };
  const holdMs = s.holdMsByCheck[f.check] ?? (f.source === "metric" ? s.metricHoldMs : s.statusHoldMs);
  return { holdMs, minObservations: s.minObservations };
}

export class FailureWindow {
  private readonly tracked = new Map<string, Tracked>();

  /** Feeds one observation's failures. */
  update(at: number, failures: Failure[], settings: DetectionSettings): void {
    const now = new Set<string>();
    for (const f of failures) {
      now.add(f.key);
      const t = this.tracked.get(f.key);
      if (!t) this.tracked.set(f.key, { failure: f, firstSeen: at, lastSeen: at, seen: 1 });
      else Object.assign(t, { failure: f, lastSeen: at, seen: t.seen + 1 });
    }
    for (const [k, t] of this.tracked) if (!now.has(k) && at - t.lastSeen > settings.gapToleranceMs) this.tracked.delete(k);
  }

  /** Failures seen in the latest observation or within the gap tolerance. */
  active(): Tracked[] {
    return [...this.tracked.values()];
  }

  /** Failing in the latest observation (at `at`), often enough and for long enough. */
  confirmed(at: number, settings: DetectionSettings, notBefore: (t: Tracked) => number = () => -Infinity): Tracked[] {
    return this.active().filter((t) => {
      if (t.lastSeen !== at) return false;
      const { holdMs, minObservations } = holdOf(t.failure, settings);
      const start = Math.max(t.firstSeen, notBefore(t));
      return t.seen >= minObservations && at - start >= holdMs;
    });
  }

  /** Restarts the clocks of a namespace's failures at `at` (after an incident closes: they must hold again). */
  rebase(namespace: string, at: number): void {
    for (const t of this.tracked.values()) {
      if (t.failure.namespace !== namespace || t.firstSeen >= at) continue;
      t.firstSeen = at;
      t.seen = 0;
    }
  }
}

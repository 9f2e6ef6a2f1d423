/**
 * The watchdog's book of incidents: each one it has taken on, where its thread stands (running,
 * waiting for a person, resolved, escalated...), duplicates folded into the incident they repeat
 * (same fingerprint while it is open), and — for `--once` — whether everything found was fixed.
 * An escalated (or, in a dry run, proposed) incident is closed in detection so the namespace can
 * raise other problems, and suppressed for a while: the same symptoms coming back are the problem
 * already handed to a person, not a new one to try the same failed fixes on.
 */
import type { Incident } from "../incident/types.ts";
import type { ApprovalQuestion, RunStatus } from "../graph/index.ts";

export type BookStatus = RunStatus | "running";

export type BookEntry = {
  incident: Incident;
  status: BookStatus;
  reason: string;
  question?: ApprovalQuestion;
  aliases: string[];
  /** Clock ms it was taken on, and of its last change of status. */
  takenAt: number;
  changedAt: number;
  suppressUntil?: number;
  repeats?: number;
};

/** "service-latency:ns/frontend: p99 2.3s" → "service-latency:ns/frontend": the symptom without its values. */
export const symptomKey = (s: string) => s.split(": ")[0];

/** Statuses in which an incident still needs something: work, a person, or a restart. */
const OPEN: ReadonlySet<BookStatus> = new Set<BookStatus>(["running", "awaiting-approval", "stopped", "unknown"]);

export class IncidentBook {
  private readonly entries = new Map<string, BookEntry>();
  private readonly aliasOf = new Map<string, string>();

  has(id: string): boolean {
    return this.entries.has(id) || this.aliasOf.has(id);
  }

  get(id: string): BookEntry | undefined {
    return this.entries.get(this.aliasOf.get(id) ?? id);
  }

  add(incident: Incident, status: BookStatus, at: number): BookEntry {
    const e: BookEntry = { incident, status, reason: "", aliases: [], takenAt: at, changedAt: at };
    this.entries.set(incident.id, e);
    return e;
  }

  /** The open incident `incident` repeats (same fingerprint), if any. */
  duplicateOf(incident: Incident): BookEntry | undefined {
    return [...this.entries.values()].find((e) => OPEN.has(e.status) && e.incident.fingerprint === incident.fingerprint);
  }

  /** Keeps `entry`'s symptoms from opening a new incident until `until` (clock ms). */
  suppress(entry: BookEntry, until: number): void {
    entry.suppressUntil = until;
  }

  /**
   * The escalated or proposed incident `incident` repeats, while its suppression lasts: the same
   * fingerprint, or symptoms all among its symptoms in the same namespace.
   */
  suppressedBy(incident: Incident, now: number): BookEntry | undefined {
    const keys = incident.symptoms.map(symptomKey);
    return this.all().find((e) => {
      if (e.suppressUntil === undefined || e.suppressUntil <= now || e.incident.namespace !== incident.namespace) return false;
      if (e.incident.fingerprint === incident.fingerprint) return true;
      const known = new Set(e.incident.symptoms.map(symptomKey));
      return keys.length > 0 && keys.every((k) => known.has(k));
    });
  }

  alias(duplicate: string, original: BookEntry): void {
    this.aliasOf.set(duplicate, original.incident.id);
    original.aliases.push(duplicate);
  }

  update(id: string, status: BookStatus, reason: string, question?: ApprovalQuestion, at?: number): BookEntry | undefined {
    const e = this.get(id);
    if (!e) return undefined;
    if (at !== undefined) e.changedAt = at;
    e.status = status;
    e.reason = reason;
    e.question = question;
    return e;
  }

  all(): BookEntry[] {
    return [...this.entries.values()];
  }

  open(): BookEntry[] {
    return this.all().filter((e) => OPEN.has(e.status));
  }

  waiting(): BookEntry[] {
    return this.all().filter((e) => e.status === "awaiting-approval");
  }

  /** Everything found was resolved (nothing found counts as fixed). */
  allFixed(): boolean {
    return this.all().every((e) => e.status === "resolved");
  }

  summary(): string {
    const counts = new Map<string, number>();
    for (const e of this.all()) counts.set(e.status, (counts.get(e.status) ?? 0) + 1);
    return counts.size ? [...counts].map(([s, n]) => `${n} ${s}`).join(", ") : "no incidents";
  }
}

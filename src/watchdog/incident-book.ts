/**
 * The watchdog's book of incidents: each one it has taken on, where its thread stands (running,
 * waiting for a person, resolved, escalated...), duplicates folded into the incident they repeat
 * (same fingerprint while it is open), and — for `--once` — whether everything found was fixed.
 */
import type { Incident } from "../../agents/types.ts";
import type { ApprovalQuestion, RunStatus } from "../graph/index.ts";

export type BookStatus = RunStatus | "running";

export type BookEntry = { incident: Incident; status: BookStatus; reason: string; question?: ApprovalQuestion; aliases: string[] };

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

  add(incident: Incident, status: BookStatus = "running"): BookEntry {
    const e: BookEntry = { incident, status, reason: "", aliases: [] };
    this.entries.set(incident.id, e);
    return e;
  }

  /** The open incident `incident` repeats (same fingerprint), if any. */
  duplicateOf(incident: Incident): BookEntry | undefined {
    return [...this.entries.values()].find((e) => OPEN.has(e.status) && e.incident.fingerprint === incident.fingerprint);
  }

  alias(duplicate: string, original: BookEntry): void {
    this.aliasOf.set(duplicate, original.incident.id);
    original.aliases.push(duplicate);
  }

  update(id: string, status: BookStatus, reason: string, question?: ApprovalQuestion): BookEntry | undefined {
    const e = this.get(id);
    if (!e) return undefined;
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

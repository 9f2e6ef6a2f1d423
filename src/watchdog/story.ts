/**
 * The watchdog's terminal output: the incident graph's events told as a story, one line per step —
 * `detected INC-… in hotel-reservation: …` → `diagnosed: … (misconfiguration, 0.92)` → `plan: …` →
 * `applied: …` → `verified: …` → `committed` or `rolled back: …`. Pure formatting, no I/O.
 */
import type { GraphEvent } from "../graph/deps.ts";
import { predictionLine } from "../twin/story.ts";

const MAX_SYMPTOMS = 3;
/** A plan step or reason longer than this is cut with "…" (the ledger keeps it whole). */
const MAX_PART_CHARS = 160;
const cut = (s: string) => (s.length > MAX_PART_CHARS ? `${s.slice(0, MAX_PART_CHARS - 1)}…` : s);

export function storyLine(e: GraphEvent): string | undefined {
  switch (e.type) {
    case "detected": {
      const s = e.incident.symptoms;
      const more = s.length > MAX_SYMPTOMS ? ` (+${s.length - MAX_SYMPTOMS} more)` : "";
      return `detected ${e.incident.id} in ${e.incident.namespace}: ${s.slice(0, MAX_SYMPTOMS).join("; ")}${more}`;
    }
    case "diagnosed": {
      const h = e.best;
      if (!h) return "diagnosed: no hypothesis (the diagnosis found nothing to blame)";
      const entity = `${h.rootCause.kind} ${h.rootCause.name}`;
      const what = h.summary.includes(h.rootCause.name) ? h.summary : `${entity}: ${h.summary}`;
      return `diagnosed: ${what} (${h.type}, ${h.confidence.toFixed(2)})${e.diagnosis.reasoner === "llm" ? " [llm]" : ""}`;
    }
    case "plan":
      return `plan${e.attempt > 1 ? ` (attempt ${e.attempt})` : ""}: ${e.lines.map(cut).join("; ")}`;
    case "no-plan":
      return `no plan: ${e.reason}`;
    case "predicted":
      return cut(predictionLine(e.prediction));
    case "refused":
      return `refused by the policy: ${e.reasons.map(cut).join("; ")}`;
    case "awaiting-approval":
      return `waiting for approval (${e.reasons.map(cut).join("; ")}): stratus approve ${e.incidentId} --by NAME [--reject]`;
    case "approval":
      return e.approved ? `approved by ${e.by}` : `rejected by ${e.by}`;
    case "applied":
      return `applied: ${e.summary}`;
    case "verified":
      return e.ok ? `verified: ${e.reason}` : `verify failed: ${e.reason}`;
    case "transaction":
      switch (e.result.outcome) {
        case "committed":
          return "committed";
        case "rolled-back":
          return `rolled back: ${e.result.reason}`;
        case "escalated":
          return `rollback incomplete: ${e.result.reason}`;
        case "aborted":
          return `aborted: ${e.result.reason}`;
        default:
          return `${e.result.outcome}: ${e.result.reason}`;
      }
    case "undo":
      return e.restored ? undefined : `undo: ${e.summary}`;
    case "retry":
      return `trying something else (attempt ${e.attempt.n} ${e.attempt.outcome})`;
    case "dry-run":
      return `dry run, not applied: ${e.steps.map((s) => (s.error ? `${s.stepId} would fail: ${s.error}` : s.summary)).join("; ")}`;
    case "resolved":
      return `resolved ${e.incidentId}`;
    case "escalated":
      return `escalated ${e.incidentId}: ${e.reason}`;
  }
}

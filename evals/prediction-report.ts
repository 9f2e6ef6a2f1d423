/**
 * The report's section on predicting before acting (issue 15): per run with predictions, the
 * confusion table of predicted verdict against what the plan then did live, accuracy over the
 * plans that were both decided and applied, and what a prediction cost; and, when the same agent
 * ran with and without prediction, attempts, rollbacks and time to mitigate side by side.
 */
import { predictionSummary } from "./runner/predictions.ts";
import type { EvalJson } from "./scoring.ts";

const ACTUALS = ["committed", "failed live", "not applied"] as const;
const VERDICTS = ["works", "fails", "uncertain"] as const;

export function predictionSection(doc: EvalJson): string[] {
  const runs = Object.entries(doc.agents).filter(([, r]) => r.results.some((x) => x.predictions));
  if (!runs.length) return [];
  const out = ["## Predict before acting (a twin per plan)", ""];
  out.push(
    "Each plan was first played on a twin — a sandbox seeded with a copy of the scenario's namespace, in virtual time — and judged by the incident's own failing checks (those a twin can compute: object status, specs, endpoints; not metrics or alerts). With `predict`, a plan predicted to fail is never applied and the next candidate is asked for; with `shadow`, every plan is predicted and applied regardless, which is what measures accuracy. *Failed live* is rolled back, aborted or escalated.",
    "",
  );
  for (const [label, { results }] of runs) {
    const records = results.flatMap((r) => r.predictions ?? []);
    const s = predictionSummary(records);
    out.push(`### ${label}: ${records.length} prediction(s), accuracy ${s.accuracy === null ? "n/a" : `${(s.accuracy * 100).toFixed(1)}%`} over ${s.decided} decided and applied`, "");
    out.push(`| predicted \\ actual | ${ACTUALS.join(" | ")} |`, `|---|${ACTUALS.map(() => "---").join("|")}|`);
    for (const v of VERDICTS) out.push(`| ${v} | ${ACTUALS.map((a) => s.table[v]?.[a] ?? 0).join(" | ")} |`);
    const walls = records.map((r) => r.wallSeconds).sort((a, b) => a - b);
    if (walls.length) out.push("", `A prediction cost ${walls[Math.floor(walls.length / 2)]} s of wall time (median; max ${walls.at(-1)} s).`);
    out.push("");
  }
  const pairs = Object.keys(doc.agents).filter((l) => doc.agents[`${l}+predict`]);
  if (pairs.length) {
    out.push("### With and without prediction (same scenarios, one run)", "", "| agent | mitigation | mean attempts | rollbacks | median TTM |", "|---|---|---|---|---|");
    for (const base of pairs) {
      for (const label of [base, `${base}+predict`]) {
        const s = doc.agents[label].summary;
        out.push(`| ${label} | ${s.mitigationRate === null ? "n/a" : `${(s.mitigationRate * 100).toFixed(1)}%`} | ${s.meanAttempts ?? "–"} | ${s.rollbacks} | ${s.medianTtmSeconds === null ? "–" : `${Math.round(s.medianTtmSeconds)} s`} |`);
      }
    }
    out.push("");
  }
  return out;
}

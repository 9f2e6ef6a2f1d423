/**
 * A prediction told for people: one line for the watchdog's story, and the few lines `stratus plan
 * validate` prints — verdict and why, each step, each rollout with its predicted time, which of the
 * incident's checks clear, whose traffic it interrupts and for how long, the waits it should allow.
 * Pure formatting.
 */
import type { Prediction } from "./prediction.ts";

const secs = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** "predicted to fail on the twin: …" / "predicted to work on the twin: …". */
export function predictionLine(p: Prediction): string {
  const head = p.verdict === "works" ? "predicted to work on the twin" : p.verdict === "fails" ? "predicted to fail on the twin" : "prediction uncertain";
  const radius = p.blastRadius.size ? `; interrupts ${p.blastRadius.services.map((s) => `${s.service} for ${secs(s.interruptedMs)}`).join(", ")}` : "";
  return `${head}: ${p.reasons.join("; ")}${radius}`;
}

export function predictionStory(p: Prediction): string[] {
  const out = [predictionLine(p)];
  for (const s of p.steps) out.push(`  step ${s.stepId}: ${s.ok ? "applies" : "fails"} — ${s.error ?? s.summary}`);
  for (const r of p.rollouts) out.push(`  rollout ${r.deployment}: ${r.completed ? `completes in ${secs(r.ms)}` : `does not complete within ${secs(r.ms)}`} (${r.detail})`);
  for (const c of p.checks) out.push(`  check ${c.key}: ${c.outcome}`);
  if (p.regressions.length) out.push(`  would break: ${p.regressions.join(", ")}`);
  out.push(p.blastRadius.size ? `  blast radius ${p.blastRadius.size}: ${p.blastRadius.services.map((s) => `${s.service} ${secs(s.interruptedMs)} (${s.via})`).join(", ")}` : "  blast radius 0: no Service loses its endpoints");
  for (const w of p.waits) out.push(`  wait for ${w.deployment}: at most ${secs(w.timeoutMs)}`);
  if (p.seed.skipped.length) out.push(`  not copied to the twin: ${p.seed.skipped.join("; ")}`);
  out.push(`  not predictable on a twin: ${p.unpredictable.join(", ") || "none"}; predicted ${secs(p.predictedMs)} of cluster time in ${secs(p.wallMs)}`);
  return out;
}

/**
 * Running a playbook for a diagnosis: bind its params against the cluster, compile it to a Plan,
 * write the plan entry (the playbook's name, version and sha256 digest, the bound params, the
 * decisions taken), pass its gate, then hand the plan to the TNR transaction with the playbook as
 * its `origin`. Every step's timing, inputs, outputs, retries and errors land in the ledger from
 * the transaction; everything before it (not applicable, invalid, gate outcomes) lands here, under
 * the same transaction id, so `stratus ledger list --tx ID` tells the whole story.
 */
import { describeAction } from "../core/actions/registry.ts";
import type { Policy } from "../core/policy.ts";
import { isActionStep } from "../core/plan.ts";
import { digestOf, runTransaction, type TransactionDeps, type TransactionOutcome, type TransactionResult } from "../core/transaction.ts";
import { describeWait } from "../core/wait.ts";
import { bindParams, shownParams, type Binding } from "./bind.ts";
import { compilePlaybook, type CompiledPlaybook } from "./compile.ts";
import { isNotApplicable, isPlaybookError } from "./errors.ts";
import { passGate, type Approver, type GateOutcome } from "./gate.ts";
import type { PlaybookInput } from "./input.ts";
import { playbookRef, type Playbook, type PlaybookRef } from "./schema.ts";

export type RunPlaybookRequest = {
  playbook: Playbook;
  input: PlaybookInput;
  /** Params already bound (selectPlaybook binds while choosing); bound here when absent. */
  binding?: Binding;
  /** A mitigation must strictly improve health; a change must only not regress it. */
  kind?: "mitigation" | "change";
  actor?: string;
  policy?: Policy;
  approver?: Approver;
};

export type PlaybookRunOutcome = TransactionOutcome | "rejected" | "not-applicable" | "invalid";

export type PlaybookRun = {
  txId: string;
  outcome: PlaybookRunOutcome;
  reason: string;
  playbook: PlaybookRef;
  binding?: Binding;
  compiled?: CompiledPlaybook;
  gate?: GateOutcome;
  transaction?: TransactionResult;
};

const ACTOR = "core:playbook";

export async function runPlaybook(req: RunPlaybookRequest, deps: TransactionDeps): Promise<PlaybookRun> {
  const { playbook: pb, input } = req;
  const { ledger, clock } = deps;
  const txId = (deps.newId ?? (() => `tx-${clock.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`))();
  const incidentId = input.incident?.id ?? null;
  const ref = playbookRef(pb);
  const about = { playbook: ref.name, version: ref.version, digest: ref.digest, file: ref.file };
  const run: PlaybookRun = { txId, outcome: "not-applicable", reason: "", playbook: ref };

  let binding = req.binding;
  try {
    binding ??= await bindParams(pb, input, { client: deps.client, ledger, now: () => clock.now() });
  } catch (e) {
    if (!isNotApplicable(e)) throw e;
    ledger.append({ kind: "note", actor: ACTOR, txId, incidentId, payload: { phase: "not-applicable", ...about, reasons: e.reasons } });
    return { ...run, outcome: "not-applicable", reason: e.message };
  }
  run.binding = binding;

  let compiled: CompiledPlaybook;
  try {
    compiled = compilePlaybook(pb, binding, input, { policy: req.policy, maxActions: deps.settings?.maxActions });
  } catch (e) {
    if (!isPlaybookError(e)) throw e;
    ledger.append({ kind: "refusal", actor: ACTOR, txId, incidentId, payload: { phase: "compile", ...about, reason: e.message, issues: e.playbookIssues } });
    return { ...run, outcome: "invalid", reason: e.message };
  }
  run.compiled = compiled;

  // The plan entry: what will run and why, before the gate and the transaction. Steps are described
  // (describe hides Secret values); the full plan is in the transaction's intent entry.
  const steps = compiled.stages.flat().map((s) => `${s.id}: ${isActionStep(s) ? describeAction(s.action) : `wait until ${describeWait(s.wait.until)}`}`);
  const planDigest = digestOf(compiled.plan);
  ledger.append({
    kind: "plan",
    actor: ACTOR,
    txId,
    incidentId,
    payload: { ...about, params: shownParams(binding) as Record<string, never>, sources: binding.sources, decisions: compiled.decisions, planDigest, stages: compiled.stages.map((st) => st.map((s) => s.id)), steps },
  });

  const gate = await passGate(pb.gate, { playbook: ref, txId, ...(incidentId ? { incidentId } : {}), steps, planDigest }, { approver: req.approver, clock, ledger, incidentId });
  run.gate = gate;
  if (!gate.proceed) return { ...run, outcome: gate.decision === "no-approver" ? "needs-approval" : "rejected", reason: gate.reason };

  const transaction = await runTransaction(
    {
      plan: compiled.plan,
      kind: req.kind ?? "mitigation",
      actor: req.actor ?? `playbook:${pb.name}`,
      ...(incidentId ? { incidentId } : {}),
      origin: compiled.origin,
      ...(req.policy ? { policy: req.policy } : {}),
      ...(gate.approval ? { approval: gate.approval } : {}),
    },
    { ...deps, newId: () => txId },
  );
  return { ...run, outcome: transaction.outcome, reason: transaction.reason, transaction };
}

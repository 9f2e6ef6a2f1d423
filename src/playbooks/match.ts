/**
 * Which playbooks serve a diagnosis. `matchPlaybooks` is pure: a playbook matches when the root
 * cause's kind is one it names, the fault type and layer are among its own (when it lists any) and
 * its `when` conditions on the evidence hold; matches come highest priority first. `selectPlaybook`
 * then binds each match's params against the cluster in that order and takes the first that binds:
 * a playbook whose evidence is not in the cluster (no revision to go back to, a Service whose
 * targetPort is served) says why and the next one is tried.
 */
import { bindParams, type BindContext, type Binding } from "./bind.ts";
import { scopeOf } from "./compile.ts";
import { describeConditions, evaluate } from "./conditions.ts";
import { isNotApplicable } from "./errors.ts";
import type { PlaybookInput } from "./input.ts";
import type { Playbook } from "./schema.ts";

export type MatchExplanation = { matched: boolean; reasons: string[] };

/** Why `pb` does or does not match: one reason per criterion. */
export function explainMatch(pb: Playbook, input: PlaybookInput): MatchExplanation {
  const m = pb.match;
  const reasons: string[] = [];
  let matched = true;
  const test = (ok: boolean, yes: string, no: string) => {
    reasons.push(ok ? yes : no);
    matched &&= ok;
  };
  test(m.entityKind.includes(input.rootCause.kind), `root cause is a ${input.rootCause.kind}`, `root cause is a ${input.rootCause.kind}, not ${m.entityKind.join(" or ")}`);
  if (m.type) test((m.type as string[]).includes(input.type), `fault type ${input.type}`, `fault type ${input.type} is not ${m.type.join(" or ")}`);
  if (m.layer) test((m.layer as string[]).includes(input.layer), `layer ${input.layer}`, `layer ${input.layer} is not ${m.layer.join(" or ")}`);
  if (m.when) {
    const ok = evaluate(m.when, scopeOf(input, {}));
    test(ok, `evidence: ${describeConditions(m.when)}`, `evidence does not show ${describeConditions(m.when)}`);
  }
  return { matched, reasons };
}

/** The playbooks that match, highest priority first (ties by name, for a stable order). */
export function matchPlaybooks(library: Iterable<Playbook>, input: PlaybookInput): Playbook[] {
  return [...library].filter((pb) => explainMatch(pb, input).matched).sort((a, b) => b.match.priority - a.match.priority || a.name.localeCompare(b.name));
}

export type Tried = { playbook: string; reason: string };
export type Selection = { playbook: Playbook; binding: Binding; tried: Tried[] } | { playbook: undefined; binding: undefined; tried: Tried[] };

/** The first matching playbook whose params bind, with why each one before it did not. */
export async function selectPlaybook(library: Iterable<Playbook>, input: PlaybookInput, ctx: BindContext): Promise<Selection> {
  const tried: Tried[] = [];
  for (const pb of matchPlaybooks(library, input)) {
    try {
      return { playbook: pb, binding: await bindParams(pb, input, ctx), tried };
    } catch (e) {
      if (!isNotApplicable(e)) throw e;
      tried.push({ playbook: pb.name, reason: e.reasons.join("; ") });
    }
  }
  return { playbook: undefined, binding: undefined, tried };
}

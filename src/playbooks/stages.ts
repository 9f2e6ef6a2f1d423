/**
 * A playbook's stages before any diagnosis binds it — what `stratus playbook plan FILE` prints:
 * every step (both branches of each decision, marked as such), ordered by `after` and by the
 * capabilities steps produce and consume, layered by the core's own topological sort. Steps in one
 * stage have no order between them and run in parallel, fail-fast. Objects written are not known
 * until params bind, so two steps of one stage may still be split by the compiler when they turn
 * out to write the same object.
 */
import { layerSteps } from "../core/plan-layering.ts";
import { formatPath } from "../core/actions/schema.ts";
import { linkCapabilities } from "./capabilities.ts";
import { PlaybookError } from "./errors.ts";
import { expandRefs, flattenSteps } from "./flatten.ts";
import type { Playbook } from "./schema.ts";

export type StaticStep = {
  id: string;
  kind: "action" | "exec" | "wait";
  what: string;
  after: string[];
  produces: string[];
  consumes: string[];
  /** "decision-id: then|else" when the step runs only on one branch of a decision. */
  branch?: string;
};

export function staticStages(pb: Playbook): StaticStep[][] {
  const flat = flattenSteps(pb.steps, () => "both");
  const capIssues = linkCapabilities(flat);
  if (capIssues.length) throw new PlaybookError(pb.source.file, capIssues.map((i) => ({ path: formatPath(i.at), message: i.message })));
  const steps = flat.steps.map((f): StaticStep & { conflictsWith: string[] } => {
    const s = f.spec;
    const kind = s.exec ? "exec" : s.wait ? "wait" : "action";
    const what = s.exec ? `exec ${s.exec.command.join(" ")} (risk ${s.exec.risk ?? "high, undeclared"})` : s.wait ? `wait until ${Object.keys(s.wait.until)[0]}` : `${s.action} ${JSON.stringify(s.with ?? {})}`;
    const d = f.path.lastIndexOf("decision");
    const branch = d >= 0 ? `${decisionId(pb, f.path.slice(0, d))}: ${f.path[d + 1]}` : undefined;
    return {
      id: s.id,
      kind,
      what,
      after: expandRefs(f.after, flat).filter((x) => x !== s.id),
      conflictsWith: expandRefs(s.conflictsWith ?? [], flat).filter((x) => x !== s.id),
      produces: s.produces ?? [],
      consumes: s.consumes ?? [],
      ...(branch ? { branch } : {}),
    };
  });
  const layered = layerSteps(steps, new Map());
  if (layered.issues.length) throw new PlaybookError(pb.source.file, layered.issues);
  return layered.stages.map((st) => st.map(({ conflictsWith: _c, ...rest }) => rest));
}

function decisionId(pb: Playbook, path: Array<string | number>): string {
  let node: unknown = pb;
  for (const k of path) node = (node as Record<string | number, unknown>)?.[k];
  return (node as { id?: string })?.id ?? "decision";
}

/**
 * decide_approval: the one write. Records a person's decision on a plan held for approval, through
 * the same path as POST /approvals/{incident} and `stratus approve`: recorded as person:<the
 * authenticated identity> (never a name from the input), bound to the held plan's digest.
 */
import { z } from "zod";
import { pendingApproval, type ApprovalBody } from "../../graph/approvals.ts";
import { incidentScope } from "../incidents.ts";
import { ToolError, defineTool, toolInput } from "./tool.ts";

const Input = toolInput({
  incident: z.string({ error: "incident is the id of an incident awaiting approval (list_incidents status=awaiting-approval)" }).min(1).describe("The incident whose held plan you decide on (list_incidents with status=awaiting-approval)."),
  decision: z.enum(["approve", "reject"], { error: 'decision is "approve" or "reject"' }).describe('"approve" runs the held plan (inside a TNR transaction, rolled back if health does not improve); "reject" asks the mitigation agent for something else.'),
  digest: z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/, "digest is the plan digest as get_incident's approval.digest shows it: sha256: and 64 hex digits")
    .optional()
    .describe("The plan digest you reviewed (get_incident approval.digest). When given, the decision is refused if the held plan is a different one."),
  note: z.string().max(1000, "note is at most 1000 characters").optional().describe("Why, for the record (at most 1000 characters)."),
});

export const decideApproval = defineTool({
  name: "decide_approval",
  title: "Approve or reject a held plan",
  description:
    "Approves or rejects the plan Stratus holds for a person's approval on an incident (status awaiting-approval). This is the only tool that changes anything: " +
    "it appends the decision to the ledger as person:<your authenticated identity>, bound to the held plan's digest, and the watchdog resumes the incident " +
    "(approve: the plan runs inside a TNR transaction and is rolled back if health does not improve; reject: another plan is sought). Needs the approve permission. " +
    "Before approving, read the plan with get_incident and dry_run_plan, and pass its digest so a different plan is never approved by mistake. " +
    "Returns incident, attempt, decision (approved|rejected) and by.",
  input: Input,
  verb: "approve",
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  scope: (args, deps) => incidentScope(deps.ledger, args.incident),
  async run(args, { deps, identity, verified }) {
    const pending = pendingApproval(deps.ledger, args.incident);
    if (args.digest && pending && pending.digest !== args.digest) {
      throw new ToolError(`the plan held for ${args.incident} is ${pending.digest}, not the ${args.digest} you reviewed; read it again with get_incident and decide on that one`);
    }
    // Who decides is the caller's identity, never a name from the input (as POST /approvals/{incident}).
    const body: ApprovalBody = {
      by: identity.username,
      reject: args.decision === "reject",
      ...(args.note ? { note: args.note } : {}),
      ...(verified ? { identity: { username: identity.username, ...(identity.uid ? { uid: identity.uid } : {}), groups: identity.groups } } : {}),
    };
    try {
      return await deps.approve(args.incident, body);
    } catch (e) {
      if ((e as { code?: string }).code === "INVALID_INPUT") throw new ToolError((e as Error).message);
      throw e;
    }
  },
});

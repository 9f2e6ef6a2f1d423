/**
 * `stratus approve INCIDENT --by NAME [--reject]`: a person's answer to a plan the policy said needs
 * one. Written to the ledger (the watchdog picks it up on its next look and resumes the incident's
 * thread), or sent to a running watchdog with `--server URL` (POST /approvals/INCIDENT), which
 * resumes it at once. Either way the decision is on record with its author and the plan it answers.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_LEDGER_PATH, openLedger } from "../../core/ledger/index.ts";
import { ApprovalBody, pendingApproval, recordDecision } from "../../graph/index.ts";
import { UsageError, type Io } from "../io.ts";

export const APPROVE_USAGE = `Usage: stratus approve INCIDENT --by NAME [--reject] [--note TEXT] [--ledger FILE | --server URL]

Answers a waiting approval: the plan the watchdog proposed for INCIDENT runs (or, with --reject,
does not, and the mitigation agent is asked for something else).
  --by NAME        who decides (recorded in the ledger as person:NAME)
  --reject         reject the plan instead of approving it
  --note TEXT      why, for the record
  --ledger FILE    the watchdog's ledger (default ${DEFAULT_LEDGER_PATH}); it resumes on its next look
  --ledger-key FILE  the ledger's MAC key (default <ledger>.key, beside it)
  --server URL     a running watchdog's --listen address; it resumes at once`;

export async function approveCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      by: { type: "string" },
      reject: { type: "boolean", default: false },
      note: { type: "string" },
      ledger: { type: "string", default: DEFAULT_LEDGER_PATH },
      "ledger-key": { type: "string" },
      server: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(APPROVE_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one INCIDENT id, got ${positionals.length ? positionals.join(" ") : "none"} (see the watchdog's "waiting for approval" line)`);
  const incident = positionals[0];
  const parsed = ApprovalBody.safeParse({ by: values.by, reject: values.reject, ...(values.note ? { note: values.note } : {}) });
  if (!parsed.success) throw new UsageError(values.by ? `--by: ${parsed.error.issues[0].message}` : "--by NAME is required: who approves, for the record");
  const verb = parsed.data.reject ? "rejected" : "approved";

  if (values.server) {
    const url = `${values.server.replace(/\/+$/, "")}/approvals/${encodeURIComponent(incident)}`;
    let res: Response;
    try {
      res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(parsed.data) });
    } catch (e) {
      io.err(`cannot reach the watchdog at ${values.server}: ${(e as Error).message}; check --server, or use --ledger FILE`);
      return 1;
    }
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) {
      io.err(`the watchdog refused: ${String(body.error ?? res.statusText)}`);
      return 1;
    }
    io.out(`${verb} attempt ${String(body.attempt)} of ${incident} by ${parsed.data.by}; the watchdog is resuming it`);
    return 0;
  }

  const ledger = openLedger({ path: resolve(values.ledger!), create: false, ...(values["ledger-key"] ? { keyFile: resolve(values["ledger-key"]) } : {}) });
  try {
    const pending = pendingApproval(ledger, incident);
    const { attempt } = recordDecision(ledger, incident, parsed.data);
    io.out(`${verb} attempt ${attempt} of ${incident} by ${parsed.data.by}${pending?.reasons.length ? ` (${pending.reasons.join("; ")})` : ""}; the watchdog resumes it on its next look`);
    return 0;
  } catch (e) {
    io.err((e as Error).message);
    return 1;
  } finally {
    ledger.close();
  }
}

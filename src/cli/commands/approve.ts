/**
 * `stratus approve INCIDENT --by NAME [--reject]`: a person's answer to a plan the policy said needs
 * one. Written to the ledger (the watchdog picks it up on its next look and resumes the incident's
 * thread), or sent to a running watchdog with `--server URL` (POST /approvals/INCIDENT) and a
 * Kubernetes bearer token, which resumes it at once — recorded under the identity the cluster
 * gives that token. Either way the decision is on record with its author and the plan it answers.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_LEDGER_PATH, openLedger } from "../../core/ledger/index.ts";
import { ApprovalBody, pendingApproval, recordDecision } from "../../graph/index.ts";
import { UsageError, type Io } from "../io.ts";

export const APPROVE_USAGE = `Usage: stratus approve INCIDENT --by NAME [--reject] [--note TEXT] [--ledger FILE]
       stratus approve INCIDENT --server URL --token-file FILE [--reject] [--note TEXT]

Answers a waiting approval: the plan the watchdog proposed for INCIDENT runs (or, with --reject,
does not, and the mitigation agent is asked for something else).
  --by NAME        who decides (recorded in the ledger as person:NAME)
  --reject         reject the plan instead of approving it
  --note TEXT      why, for the record
  --ledger FILE    the watchdog's ledger (default ${DEFAULT_LEDGER_PATH}); it resumes on its next look
  --ledger-key FILE  the ledger's MAC key (default <ledger>.key, beside it)
  --server URL     a running watchdog's --listen address; it resumes at once. You decide as the
                   identity of your Kubernetes token (RBAC: approve on incidents.stratus.dev)
  --token-file FILE  the bearer token for --server (e.g. kubectl create token NAME > FILE; or $STRATUS_TOKEN)`;

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
      "token-file": { type: "string" },
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
  if (values.server) return approveOverHttp(values.server, incident, { reject: values.reject, note: values.note, by: values.by, tokenFile: values["token-file"] }, io);
  const parsed = ApprovalBody.safeParse({ by: values.by, reject: values.reject, ...(values.note ? { note: values.note } : {}) });
  if (!parsed.success) throw new UsageError(values.by ? `--by: ${parsed.error.issues[0].message}` : "--by NAME is required: who approves, for the record");
  const verb = parsed.data.reject ? "rejected" : "approved";

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

/** POST /approvals/INCIDENT with a bearer token; the watchdog records the token's identity (a --by, if given, must be it). */
async function approveOverHttp(server: string, incident: string, o: { reject: boolean; note?: string; by?: string; tokenFile?: string }, io: Io): Promise<number> {
  let token = process.env.STRATUS_TOKEN?.trim();
  if (o.tokenFile) {
    try {
      token = readFileSync(o.tokenFile, "utf8").split(/\r?\n/)[0].trim();
    } catch (e) {
      throw new UsageError(`cannot read --token-file ${o.tokenFile}: ${(e as Error).message}`);
    }
  }
  if (!token) throw new UsageError("--server needs a Kubernetes bearer token: --token-file FILE (e.g. kubectl create token NAME -n NS > FILE) or $STRATUS_TOKEN");
  const url = `${server.replace(/\/+$/, "")}/approvals/${encodeURIComponent(incident)}`;
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ reject: o.reject, ...(o.note ? { note: o.note } : {}), ...(o.by ? { by: o.by } : {}) }) });
  } catch (e) {
    io.err(`cannot reach the watchdog at ${server}: ${(e as Error).message}; check --server, or use --ledger FILE`);
    return 1;
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    io.err(`the watchdog refused (${res.status}): ${String(body.error ?? res.statusText)}${body.hint ? `; ${String(body.hint)}` : ""}`);
    return 1;
  }
  io.out(`${o.reject ? "rejected" : "approved"} attempt ${String(body.attempt)} of ${incident} as ${String(body.by)}; the watchdog is resuming it`);
  return 0;
}

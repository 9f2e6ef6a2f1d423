/**
 * `stratus mcp`: the MCP server over stdio, for an assistant (Claude Code, Cursor, HolmesGPT) to
 * start as a subprocess. It reads the same ledger and cluster the watchdog does; its one write,
 * decide_approval, records the decision in the ledger as the local OS user (as `stratus approve
 * --ledger` does) and the watchdog resumes the incident on its next look. stdout carries only the
 * protocol; messages go to stderr. The same tools are served over HTTP at /mcp by `stratus watch`.
 */
import { userInfo } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { createEmbeddedAgents } from "../../../agents/index.ts";
import { systemClock } from "../../base/clock.ts";
import { DEFAULT_LEDGER_PATH, openLedger } from "../../core/ledger/index.ts";
import { DEFAULT_POLICY, confineToWatched, loadPolicy } from "../../core/policy.ts";
import { recordDecision } from "../../graph/index.ts";
import { KubeClient, loadKubeConfig } from "../../kube/kube-client.ts";
import type { McpDeps } from "../../mcp/context.ts";
import { serveStdio } from "../../mcp/stdio.ts";
import { loadPlaybookDir } from "../../playbooks/index.ts";
import { chooseMetricSource, inPolicyScope } from "../../watchdog/index.ts";
import { UsageError, type Io } from "../io.ts";
import { telemetryFlag } from "./watch.ts";

export const MCP_USAGE = `Usage: stratus mcp [--kubeconfig FILE] [--context NAME] [-n NS]... [--ledger FILE] [flags]

Serves Stratus's tools to an assistant over MCP (stdio): list_incidents, get_incident,
ledger_entries, verify_ledger, cluster_health, diagnose, propose_plan, dry_run_plan (read-only) and
decide_approval (records your decision, as the local user, in the ledger). See docs/MCP.md.
  --kubeconfig FILE      the cluster (default: $KUBECONFIG or ~/.kube/config)
  --context NAME         a context of the kubeconfig
  -n, --namespace NS     a namespace the tools may look at (repeatable; default: every namespace the policy allows)
  --ledger FILE          the watchdog's mitigation ledger (default ${DEFAULT_LEDGER_PATH}); it must exist
  --ledger-key FILE      the ledger's MAC key (default <ledger>.key beside it)
  --policy FILE          the policy guard dry_run_plan and propose_plan report (default: built-in)
  --playbooks DIR        the playbook library the mitigation agent draws on (default: playbooks/)
  --metrics-url URL      a /metrics endpoint to scrape for service metrics
  --prometheus URL       a Prometheus server to query instead
  --telemetry PRESET|FILE  which series the SLO checks read: istio (default), otel, sandbox, or a file`;

export async function mcpCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: "string" },
      context: { type: "string" },
      namespace: { type: "string", short: "n", multiple: true },
      ledger: { type: "string", default: DEFAULT_LEDGER_PATH },
      "ledger-key": { type: "string" },
      policy: { type: "string" },
      playbooks: { type: "string" },
      "metrics-url": { type: "string" },
      prometheus: { type: "string" },
      telemetry: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(MCP_USAGE);
    return 0;
  }
  if (positionals.length) throw new UsageError(`stratus mcp takes no arguments, got "${positionals.join(" ")}"; it speaks MCP on stdin/stdout`);
  if (values["metrics-url"] && values.prometheus) throw new UsageError("pass --metrics-url or --prometheus, not both");
  const watched = values.namespace?.length ? [...new Set(values.namespace)] : undefined;
  const queries = values.telemetry === undefined ? undefined : telemetryFlag(values.telemetry);
  const kc = loadKubeConfig({ kubeconfig: values.kubeconfig, context: values.context });
  const policy = confineToWatched(values.policy ? loadPolicy(values.policy) : DEFAULT_POLICY, watched);
  const client = new KubeClient(kc, { clock: systemClock });
  const ledgerPath = resolve(values.ledger!);
  const ledger = openLedger({ path: ledgerPath, create: false, ...(values["ledger-key"] ? { keyFile: resolve(values["ledger-key"]) } : {}) });
  try {
    const metrics = await chooseMetricSource({ prometheus: values.prometheus, metricsUrl: values["metrics-url"], server: client.server, clock: systemClock, queries });
    const agents = createEmbeddedAgents(values.playbooks ? { playbooks: loadPlaybookDir(resolve(values.playbooks)).playbooks } : {});
    const user = localUser();
    const deps: McpDeps = {
      ledger,
      reader: client,
      dryRunClient: client,
      clock: systemClock,
      namespaces: async () => watched ?? (await client.list("v1", "Namespace")).map((n) => n.metadata.name).filter((ns) => inPolicyScope(policy, ns)).sort(),
      policy,
      agents,
      ...(metrics.source ? { metrics: metrics.source } : {}),
      // Written to the ledger file, as `stratus approve --ledger` does: the watchdog resumes on its next look.
      approve: async (id, body) => {
        const { attempt, decision } = recordDecision(ledger, id, body);
        return { incident: id, attempt, decision: decision.approved ? "approved" : "rejected", by: decision.by, resumed: false, next: "the watchdog resumes the incident on its next look at the ledger" };
      },
    };
    io.err(`stratus mcp: serving over stdio; cluster ${client.server}; ledger ${ledgerPath}; namespaces ${watched?.join(", ") ?? "every one the policy allows"}; metrics ${metrics.description}; decisions recorded as person:${user}`);
    await serveStdio(deps, { username: user, groups: [] });
    return 0;
  } finally {
    ledger.close();
  }
}

/** The OS user running the process: who a decision made over stdio is recorded as. */
function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? "unknown";
  }
}

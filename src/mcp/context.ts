/**
 * What the MCP tools are given, injected by the composition root (src/cli): the ledger, the cluster
 * reader, the watched namespaces, the policy, the diagnosis and mitigation agents (as their
 * contracts), and the one way a decision is recorded. src/mcp imports no agent, no sandbox and no
 * watchdog: `stratus mcp` (stdio) and the watchdog's /mcp route wire the same tools to different
 * parts. A `Caller` is who is asking, per request: over HTTP the RequestAuthenticator's answer,
 * over stdio the local OS user.
 */
import type { Clock } from "../base/clock.ts";
import type { LedgerReader, LedgerStore } from "../core/ledger/index.ts";
import type { Policy } from "../core/policy.ts";
import type { ApprovalBody } from "../graph/approvals.ts";
import type { DiagnosisAgent, MitigationAgent } from "../incident/agent.ts";
import type { ClusterClient } from "../kube/cluster-client.ts";
import type { AccessScope, AccessVerb, AuthDecision, Identity } from "../server/http-auth.ts";
import type { Alert, MetricSource } from "../telemetry/metric-source.ts";

export type McpDeps = {
  /** The mitigation ledger (read; verify through `verifyAnchored`). Decisions go through `approve`, never `append` here. */
  ledger: LedgerReader & Pick<LedgerStore, "verifyAnchored">;
  /** Reads the cluster: health checks and the agents' observations. */
  reader: ClusterClient;
  /** Sends dry runs (dryRun=All). Wrapped in `dryRunOnly` by the server: it can never store anything. */
  dryRunClient: ClusterClient;
  clock: Clock;
  /** The namespaces Stratus watches; every tool stays inside them. */
  namespaces(): string[] | Promise<string[]>;
  /** The guard's policy, already confined to the watched namespaces. */
  policy: Policy;
  agents: { diagnosis: DiagnosisAgent; mitigation: MitigationAgent };
  metrics?: MetricSource;
  alerts?(): Alert[];
  /** Incidents the running watchdog holds in memory (status, question); absent over stdio. */
  liveIncidents?(): Array<Record<string, unknown>>;
  /**
   * Records a person's decision on a held plan — the watchdog's approve (resumes at once) or
   * recordDecision on the ledger (resumed on the watchdog's next look). Throws StratusError
   * INVALID_INPUT when nothing waits or the plan names other approvers.
   */
  approve(incidentId: string, body: ApprovalBody): Promise<Record<string, unknown>>;
};

/**
 * Who is calling, and whether they may do `verb` (in `scope`); answers are cached per request.
 * `verified`: the cluster authenticated the identity (HTTP, TokenReview) — recorded with a
 * decision; false for the local OS user over stdio, recorded by name only, like `stratus approve`.
 */
export type Caller = { verified: boolean; authorize(verb: AccessVerb, scope?: AccessScope): Promise<AuthDecision> };

/** What a tool runs with: the deps, and the identity the authenticator granted its verb to. */
export type ToolContext = { deps: McpDeps; identity: Identity; verified: boolean };

/**
 * `createWatchdog(options)`: the long-running watchdog `stratus watch` runs — informers feeding a
 * cached reader, crash recovery on start, the writer Lease, optional leader election, the incident
 * loop — from plain options checked with zod. The `Watchdog` class and its option bag are internal
 * (they take metrics registries, alert stores and checkpointers); this is the stable door.
 */
import { z } from "zod";
import { openLedger } from "../core/ledger/index.ts";
import { confineToWatched, DEFAULT_POLICY, type Policy } from "../core/policy.ts";
import { checkpointPathFor, closeCheckpointer, openCheckpointer } from "../graph/index.ts";
import { AlertStore, StratusMetrics } from "../server/index.ts";
import { Watchdog } from "../watchdog/watchdog.ts";
import { clusterOptionsSchema, connect, fnSchema, objectSchema, parseOptions } from "./cluster.ts";
import { parseApproval, type ApprovalAnswer, type IncidentSummary } from "./incident-loop.ts";
import { embeddedReasoner, type Reasoner } from "./reasoner.ts";


export const watchdogOptionsSchema = clusterOptionsSchema.extend({
  /** Namespaces to watch; absent = every namespace the policy allows (needs a ClusterRole). */
  namespaces: z.array(z.string().min(1)).min(1).optional(),
  /** The ledger file (created 0600 when missing). */
  ledger: z.string().min(1),
  /** The ledger's MAC key file (default `<ledger>.key`). */
  ledgerKey: z.string().min(1).optional(),
  /** The graph's checkpoints (default beside the ledger, `*.checkpoints.db`): open incidents resume after a restart. */
  checkpoints: z.string().min(1).optional(),
  /** The guard (default: the built-in policy), confined to `namespaces` when given. */
  policy: objectSchema<Policy>("a Policy (parsePolicy or DEFAULT_POLICY)").optional(),
  /** Who decides (default: a fresh embeddedReasoner()). */
  reasoner: objectSchema<Reasoner>("a Reasoner").optional(),
  /** Diagnose and propose, never write. */
  dryRun: z.boolean().default(false),
  /** Handle what is wrong now, then return from run() (0 when everything found was fixed). */
  once: z.object({ quietMs: z.number().int().min(0).optional(), timeoutMs: z.number().int().min(1).optional() }).optional(),
  /** How often detection looks (default 5 s; sooner on changes). */
  intervalMs: z.number().int().min(100).max(3_600_000).optional(),
  /** Mitigation attempts per incident before escalating (default 3). */
  maxAttempts: z.number().int().min(1).max(20).optional(),
  /** How long a change settles before health is verified (default 30 s of the clock's time). */
  stabilizationMs: z.number().int().min(0).max(3_600_000).optional(),
  /** The writer Lease holder's name (default `stratus@HOST/PID-RANDOM`). */
  identity: z.string().min(1).max(200).optional(),
  /** Where the writer (and leader) Lease lives (default "default"). */
  leaseNamespace: z.string().min(1).optional(),
  /** Elect one leader among replicas on the Lease `stratus-leader` (default false: this process acts alone). */
  leaderElection: z.boolean().default(false),
  /** How long informers may take to sync before a `once` run calls itself blind (default 30 s). */
  informerSyncTimeoutMs: z.number().int().min(1).optional(),
  /** One line per step of each incident's story. */
  story: fnSchema<(line: string) => void>("a story sink").optional(),
  /** Operational messages (credentials masked). */
  log: fnSchema<(line: string) => void>("a log sink").optional(),
});
/** Options of createWatchdog: what `stratus watch` takes as flags, plus the reasoner and sinks (checked with zod). */
export type WatchdogOptions = z.input<typeof watchdogOptionsSchema>;

/** A wired watchdog. */
export interface WatchdogHandle {
  /**
   * Recovers unfinished transactions, starts the informers, resumes open incidents, then watches:
   * until stop() (→ 0) or, with `once`, until done (→ 0 all fixed, 1 not, 3 blind: the cluster
   * could not be seen). Call once.
   */
  run(): Promise<number>;
  /** Graceful stop: a running transaction commits or rolls back first. Idempotent. */
  stop(): Promise<void>;
  /** Ready when informers synced and recovery ran; otherwise the reasons (what /readyz answers). */
  readiness(): { ready: boolean; reasons: string[] };
  /** Incidents taken so far, oldest first. */
  incidents(): IncidentSummary[];
  /** Records a person's decision and resumes the waiting plan. Throws StratusError as IncidentLoopHandle.approve does. */
  approve(incidentId: string, answer: ApprovalAnswer): Promise<Record<string, unknown>>;
  /** Stops, then closes the ledger and checkpoints. Idempotent; call after run() resolved. */
  close(): Promise<void>;
}

/**
 * Wires a watchdog from plain options. Opens the ledger and checkpoints now; nothing touches the
 * cluster until run(). Throws ValidationError (INVALID_INPUT) for bad options, StratusError
 * KUBECONFIG when no cluster is configured, LedgerError when the ledger cannot be opened.
 */
export function createWatchdog(options: WatchdogOptions): WatchdogHandle {
  const o = parseOptions(watchdogOptionsSchema, options, "watchdog options");
  const { kc, client, clock } = connect(o);
  const ledger = openLedger({ path: o.ledger, now: () => clock.now(), ...(o.ledgerKey ? { keyFile: o.ledgerKey } : {}) });
  const checkpointer = openCheckpointer(o.checkpoints ?? checkpointPathFor(o.ledger));
  const metrics = new StratusMetrics(() => clock.now(), { processMetrics: false });
  const watchdog = new Watchdog({
    kubeConfig: kc, client, clock, ledger, checkpointer, metrics,
    alerts: new AlertStore(() => clock.now()),
    policy: confineToWatched(o.policy ?? DEFAULT_POLICY, o.namespaces),
    agents: o.reasoner ?? embeddedReasoner(),
    ...(o.namespaces ? { namespaces: o.namespaces } : {}),
    dryRun: o.dryRun,
    ...(o.once ? { once: o.once } : {}),
    detectIntervalMs: o.intervalMs,
    maxAttempts: o.maxAttempts,
    ...(o.stabilizationMs !== undefined ? { transactionSettings: { stabilizationMs: o.stabilizationMs } } : {}),
    ...(o.identity ? { identity: o.identity } : {}),
    ...(o.leaseNamespace ? { leaseNamespace: o.leaseNamespace } : {}),
    ...(o.leaderElection ? { leaderElection: {} } : {}),
    ...(o.informerSyncTimeoutMs ? { informerSyncTimeoutMs: o.informerSyncTimeoutMs } : {}),
    ...(o.story ? { story: o.story } : {}),
    ...(o.log ? { log: o.log } : {}),
  });
  let closed: Promise<void> | undefined;
  return {
    run: () => watchdog.run(),
    stop: () => watchdog.stop(),
    readiness: () => watchdog.readiness(),
    incidents: () => watchdog.book.all().map((e) => ({ id: e.incident.id, namespace: e.incident.namespace, status: e.status, reason: e.reason })),
    approve: (id, answer) => watchdog.approve(id, parseApproval(answer)),
    close() {
      closed ??= (async () => {
        await watchdog.stop();
        closeCheckpointer(checkpointer);
        ledger.close();
      })();
      return closed;
    },
  };
}

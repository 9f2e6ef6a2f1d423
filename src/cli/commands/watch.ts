/**
 * `stratus watch`: the watchdog against a cluster found through a kubeconfig. Parses the flags
 * into a WatchSetup; `runWatch` (also used by `stratus start`) wires everything — kubeconfig and
 * clients, ledger and graph checkpoints, policy, agents (embedded, or through a model with
 * `--llm openai`), metric source, HTTP server — and runs the Watchdog until Ctrl-C or, with
 * `--once`, until what is wrong now has been handled. The story goes to stdout, operations to stderr.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Agents } from "../../incident/agent.ts";
import { createEmbeddedAgents } from "../../../agents/index.ts";
import { DEFAULT_PLAYBOOK_DIR, watchPlaybooks, type Playbook, type PlaybookWatcher } from "../../playbooks/index.ts";
import { withLlm } from "../../../agents/llm-agent.ts";
import { systemClock, type Clock } from "../../base/clock.ts";
import { DEFAULT_LEDGER_PATH, openLedger } from "../../core/ledger/index.ts";
import { DEFAULT_POLICY, confineToWatched, loadPolicy } from "../../core/policy.ts";
import { checkpointPathFor, closeCheckpointer, openCheckpointer, recordLlmCall } from "../../graph/index.ts";
import { KubeClient, findKubeConfig } from "../../kube/kube-client.ts";
import { podNamespace } from "../../kube/pod-namespace.ts";
import { isKubeApiError, isStratusError } from "../../base/errors.ts";
import { createChatModel, describeLlm, llmConfigFromFlags, type LlmConfig } from "../../llm/index.ts";
import { AlertStore, KubeAuthenticator, StratusMetrics, loadAlertBasicAuth, loadAlertToken, metricsListenFor, startMetricsServer, startServer } from "../../server/index.ts";
import { resolveTelemetry, type TelemetryQueries } from "../../telemetry/index.ts";
import { chooseMetricSource, DEFAULT_IDENTITY, DEFAULT_LEADER_LEASE_DURATION_SECONDS, EXIT_BLIND, serverAlignedClock, Watchdog } from "../../watchdog/index.ts";
import { mcpRoute } from "../../mcp/http.ts";
import { uiRoutes } from "../../server/ui/index.ts";
import { durationFlag, UsageError, type Io } from "../io.ts";
import { predictFlag, predictorFor } from "../twin.ts";

export const WATCH_USAGE = `Usage: stratus watch [--kubeconfig FILE] [--context NAME] [-n NS]... [flags]

Watches a cluster, and fixes what breaks inside TNR transactions (rolled back when health does not
improve). Every step goes to the ledger; the story goes to the terminal.
  --kubeconfig FILE      the cluster (default: $KUBECONFIG, else ~/.kube/config, else the pod's
                         ServiceAccount when run in a pod; with none of them, exit ${EXIT_BLIND})
  --context NAME         a context of the kubeconfig
  -n, --namespace NS     a namespace to watch (repeatable; default: every namespace the policy allows,
                         which lists and watches cluster-wide and needs a ClusterRole)
  --lease-namespace NS   where the writer Lease lives (default: $POD_NAMESPACE, else the pod's
                         namespace, else default)
  --leader-elect         elect one leader among replicas on the Lease stratus-leader in the lease
                         namespace: only the leader acts, a standby takes over within 15 s (default
                         on; --leader-elect=false for a single process; --once never elects)
  --leader-elect-lease-duration DUR  how long a standby waits after the last renewal (default 15s)
  --leader-elect-renew-deadline DUR  how long the leader retries renewing before it stops acting
                         (default 10s; shorter than the lease duration)
  --leader-elect-retry-period DUR    between tries to acquire or renew (default 2s)
  --sync-timeout DUR     how long informers may take to list and watch (default 30s); --once exits
                         ${EXIT_BLIND} when they have not by then (API server unreachable, RBAC)
  --ledger FILE          the mitigation ledger (default ${DEFAULT_LEDGER_PATH})
  --ledger-key FILE      the ledger's MAC key (default <ledger>.key beside it, created 0600 on first use)
  --checkpoints FILE     the incident graph's checkpoints (default: beside the ledger, *.checkpoints.db)
  --policy FILE          the policy guard (YAML; default: built-in, approval for high-risk actions)
  --playbooks DIR        the playbook library, reloaded live when a file changes (default: playbooks/)
  --playbook-lock FILE   load only playbooks and action scripts whose sha256 matches this lock (stratus
                         playbook lock); default DIR/playbooks.lock when it exists, else not enforced
  --playbook-lock-key PUB.pem  the lock's Ed25519 signature must verify with this public key
  --llm none|openai      agents' reasoner: embedded rules (none, default) or an OpenAI-compatible model
  --model NAME           the model, with --llm openai (key from OPENAI_API_KEY)
  --llm-tools on|off     on (default): the model calls read-only tools; off: the reads go in the
                         prompt and the model answers JSON (servers without tool calling)
  --base-url URL         an OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp server)
  --llm-prices FILE      dollars per million tokens per model ({"MODEL": {"input": N, "output": N}}),
                         for stratus_llm_cost_dollars_total and the cost in the ledger's call records
  --metrics-url URL      a /metrics endpoint to scrape for service metrics
  --prometheus URL       a Prometheus server to query instead
  --telemetry PRESET|FILE  which series the SLO checks and call graph read: istio (default), otel,
                         sandbox, or a TelemetryQueries YAML file
  --listen HOST:PORT     serve the API (e.g. 127.0.0.1:8080): /healthz, /readyz, POST /alerts; and, for callers
                         with a Kubernetes token RBAC allows (incidents.stratus.dev get/approve),
                         /api/ledger, /api/incidents, POST /approvals/ID
  --metrics-listen HOST:PORT  serve /metrics here, apart from the API (default with --listen: port 9464
                         on its host; "off" for none)
  --dry-run              diagnose and propose, never write
  --once                 handle what is wrong now, then exit: 0 when everything found was fixed,
                         1 when not, ${EXIT_BLIND} when it could not see the cluster
  --once-timeout DUR     with --once, stop after this long whatever is open (default 15m)
  --once-quiet DUR       with --once, exit after this long with nothing open (default 90s)
  --interval DUR         how often detection looks (default 5s; sooner on changes)
  --max-attempts N       mitigation attempts per incident before escalating (default 3)
  --predict on|off       play each plan first on a twin (a sandbox seeded with a copy of the namespace,
                         in virtual time); a plan predicted to fail is never applied (default off)
  --stabilization DUR    the longest a change settles before health is verified; verification ends
                         sooner once the incident's checks have stayed clear (default 30s)
  --identity NAME        the writer Lease holder name (default stratus@HOST/PID-RANDOM/<hash of the ledger path>,
                         unique per process; a fixed NAME shared by two processes lets both write)
  --alert-token-file F   the bearer token POST /alerts must carry (first line of F; or $STRATUS_ALERT_TOKEN);
                         without one (and no basic auth), alert intake is closed (403)
  --alert-basic-auth-file F  user:password POST /alerts may present with basic auth instead
  --speed X              the cluster's clock runs X times faster (a sped-up sandbox): wait in its time
Durations: 90s, 1m30s, 500ms, 2h (a unit is required).`;

export type WatchSetup = {
  kubeconfig?: string;
  context?: string;
  namespaces?: string[];
  /** Where the writer Lease lives; default the pod's namespace (podNamespace()). */
  leaseNamespace?: string;
  /** How long informers may take to sync before --once calls the watchdog blind. */
  syncTimeoutMs?: number;
  /** Leader election among replicas (`stratus watch` default on; off for other callers and --once). */
  leaderElect?: boolean;
  /** Leader election timings (client-go's names); defaults 15 s / 10 s / 2 s. */
  leaderElection?: { leaseDurationSeconds?: number; renewDeadlineMs?: number; retryPeriodMs?: number };
  ledgerPath: string;
  /** The ledger's MAC key file; default beside the ledger. */
  ledgerKeyPath?: string;
  checkpointsPath?: string;
  policyFile?: string;
  llm: LlmConfig;
  metricsUrl?: string;
  prometheus?: string;
  /** The telemetry queries (`--telemetry`); the default preset when absent. */
  telemetry?: TelemetryQueries;
  listen?: string;
  /** Where /metrics is served (`off` for nowhere); default derived from `listen` (metricsListenFor). */
  metricsListen?: string;
  dryRun?: boolean;
  once?: { timeoutMs?: number; quietMs?: number };
  intervalMs?: number;
  maxAttempts?: number;
  /** Play each plan on a twin before applying it (`--predict on`). */
  predict?: boolean;
  stabilizationMs?: number;
  identity?: string;
  /** A file holding the alert senders' bearer token (else STRATUS_ALERT_TOKEN; else intake closed). */
  alertTokenFile?: string;
  /** A file holding `user:password` alert senders may present with basic auth. */
  alertBasicAuthFile?: string;
  speed?: number;
  /** The clock to use (stratus start passes the sandbox's); otherwise system or --speed aligned. */
  clock?: Clock;
  /** Agents to use instead of the embedded ones (tests, or a caller with its own). */
  agents?: Agents;
  /** The playbook folder, watched and reloaded live (default DEFAULT_PLAYBOOK_DIR). */
  playbookDir?: string;
  /** A playbook lock that must exist and match (else DIR/playbooks.lock, enforced when present). */
  playbookLock?: string;
  /** An Ed25519 public key (PEM file) the lock's signature must verify with. */
  playbookLockKey?: string;
  /** Stops the watchdog when aborted (besides SIGINT/SIGTERM when handleSignals). */
  signal?: AbortSignal;
  handleSignals?: boolean;
  /** Called once the watchdog is wired, before it runs (stratus start prints its banner here). */
  onStarted?(info: { ledgerPath: string; url?: string; metricsUrl?: string; watchdog: Watchdog }): void;
  onTransactionStep?(step: string, txId: string): void | Promise<void>;
  health?: { samples?: number; intervalMs?: number };
};

export async function watchCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    // `--leader-elect=false` as kube components spell it (parseArgs booleans take no value).
    args: argv.map((a) => (a === "--leader-elect=false" ? "--no-leader-elect" : a === "--leader-elect=true" ? "--leader-elect" : a)),
    options: {
      kubeconfig: { type: "string" },
      context: { type: "string" },
      namespace: { type: "string", short: "n", multiple: true },
      "lease-namespace": { type: "string" },
      "leader-elect": { type: "boolean", default: true },
      "no-leader-elect": { type: "boolean", default: false },
      "leader-elect-lease-duration": { type: "string" },
      "leader-elect-renew-deadline": { type: "string" },
      "leader-elect-retry-period": { type: "string" },
      "sync-timeout": { type: "string" },
      ledger: { type: "string", default: DEFAULT_LEDGER_PATH },
      "ledger-key": { type: "string" },
      checkpoints: { type: "string" },
      policy: { type: "string" },
      playbooks: { type: "string" },
      "playbook-lock": { type: "string" },
      "playbook-lock-key": { type: "string" },
      llm: { type: "string", default: "none" },
      "llm-tools": { type: "string" },
      model: { type: "string" },
      "base-url": { type: "string" },
      "llm-prices": { type: "string" },
      "metrics-url": { type: "string" },
      prometheus: { type: "string" },
      telemetry: { type: "string" },
      listen: { type: "string" },
      "metrics-listen": { type: "string" },
      "dry-run": { type: "boolean", default: false },
      once: { type: "boolean", default: false },
      "once-timeout": { type: "string" },
      "once-quiet": { type: "string" },
      interval: { type: "string" },
      "max-attempts": { type: "string" },
      predict: { type: "string" },
      stabilization: { type: "string" },
      identity: { type: "string" },
      "alert-token-file": { type: "string" },
      "alert-basic-auth-file": { type: "string" },
      speed: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    io.out(WATCH_USAGE);
    return 0;
  }
  if ((values["once-timeout"] || values["once-quiet"]) && !values.once) throw new UsageError("--once-timeout and --once-quiet need --once");
  if (values["metrics-url"] && values.prometheus) throw new UsageError("pass --metrics-url or --prometheus, not both");
  let llm: LlmConfig;
  try {
    llm = llmConfigFromFlags({ llm: values.llm, model: values.model, baseUrl: values["base-url"], tools: values["llm-tools"], prices: values["llm-prices"] });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const setup: WatchSetup = {
    kubeconfig: values.kubeconfig,
    context: values.context,
    namespaces: values.namespace?.length ? [...new Set(values.namespace)] : undefined,
    leaseNamespace: values["lease-namespace"],
    leaderElect: values["leader-elect"] && !values["no-leader-elect"] && !values.once,
    leaderElection: leaderTimings(values["leader-elect-lease-duration"], values["leader-elect-renew-deadline"], values["leader-elect-retry-period"]),
    syncTimeoutMs: optDuration("--sync-timeout", values["sync-timeout"]),
    ledgerPath: resolve(values.ledger!),
    ...(values["ledger-key"] ? { ledgerKeyPath: resolve(values["ledger-key"]) } : {}),
    checkpointsPath: values.checkpoints ? resolve(values.checkpoints) : undefined,
    policyFile: values.policy,
    playbookDir: values.playbooks ? resolve(values.playbooks) : undefined,
    ...(values["playbook-lock"] ? { playbookLock: resolve(values["playbook-lock"]) } : {}),
    ...(values["playbook-lock-key"] ? { playbookLockKey: resolve(values["playbook-lock-key"]) } : {}),
    llm,
    metricsUrl: values["metrics-url"],
    prometheus: values.prometheus,
    telemetry: values.telemetry === undefined ? undefined : telemetryFlag(values.telemetry),
    listen: values.listen,
    metricsListen: metricsFlag(values.listen, values["metrics-listen"]),
    dryRun: values["dry-run"],
    once: values.once ? { timeoutMs: optDuration("--once-timeout", values["once-timeout"]), quietMs: optDuration("--once-quiet", values["once-quiet"]) } : undefined,
    intervalMs: optDuration("--interval", values.interval),
    maxAttempts: values["max-attempts"] === undefined ? undefined : intFlag("--max-attempts", values["max-attempts"], 1, 20),
    predict: predictFlag(values.predict),
    stabilizationMs: optDuration("--stabilization", values.stabilization),
    identity: values.identity,
    alertTokenFile: values["alert-token-file"] ? resolve(values["alert-token-file"]) : undefined,
    alertBasicAuthFile: values["alert-basic-auth-file"] ? resolve(values["alert-basic-auth-file"]) : undefined,
    speed: values.speed === undefined ? undefined : positive("--speed", values.speed),
    handleSignals: true,
  };
  return runWatch(setup, io);
}

/** Wires and runs one watchdog; returns its exit code. Closes everything it opened. */
export async function runWatch(s: WatchSetup, io: Io): Promise<number> {
  let found: ReturnType<typeof findKubeConfig>;
  try {
    found = findKubeConfig({ kubeconfig: s.kubeconfig, context: s.context });
  } catch (e) {
    // No cluster is blindness too: say so and exit like a watchdog that could not see.
    if (!isStratusError(e) || e.code !== "KUBECONFIG") throw e;
    io.err(`stratus watch: ${e.message}`);
    return EXIT_BLIND;
  }
  const kc = found.kc;
  // Watching -n NS confines writes to NS unless the policy file names namespaces itself.
  const policy = confineToWatched(s.policyFile ? loadPolicy(s.policyFile) : DEFAULT_POLICY, s.namespaces);
  const alertToken = loadAlertToken({ file: s.alertTokenFile });
  const alertBasicAuth = s.alertBasicAuthFile ? loadAlertBasicAuth(s.alertBasicAuthFile) : undefined;
  const metricsListen = metricsListenFor(s.listen, s.metricsListen);
  let clock: Clock = s.clock ?? systemClock;
  if (!s.clock && s.speed && s.speed !== 1) {
    try {
      clock = await serverAlignedClock(new KubeClient(kc), s.speed, s.namespaces?.[0] ?? "default");
    } catch (e) {
      if (!isKubeApiError(e) || e.status !== 0) throw e;
      io.err(`stratus watch: blind: cannot reach the cluster at ${kc.getCurrentCluster()?.server} (from ${found.source}) to align --speed: ${e.message}`);
      return EXIT_BLIND;
    }
  }
  const client = new KubeClient(kc, { clock });
  const ledger = openLedger({ path: s.ledgerPath, now: () => clock.now(), ...(s.ledgerKeyPath ? { keyFile: s.ledgerKeyPath } : {}) });
  const checkpointer = openCheckpointer(s.checkpointsPath ?? checkpointPathFor(s.ledgerPath));
  const metrics = new StratusMetrics(() => clock.now());
  const alerts = new AlertStore(() => clock.now(), { onDrop: (n) => metrics.alertsDropped.inc(n) });
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
  // The playbook library in force, kept current by the watcher: an edited playbook is reloaded
  // live; an invalid edit is rejected with its error and the last good version stays in force.
  const library: Playbook[] = [];
  let playbookWatcher: PlaybookWatcher | undefined;
  playbookWatcher = s.agents ? undefined : watchPlaybooks(s.playbookDir ?? DEFAULT_PLAYBOOK_DIR, (e) => {
    if (playbookWatcher) library.splice(0, library.length, ...playbookWatcher.playbooks());
    if (e.type === "reloaded") io.err(`playbook reloaded: ${e.playbook.name} (${e.file})`);
    if (e.type === "rejected") io.err(`playbook rejected, ${e.kept ? `keeping the last good version of ${e.kept.name}` : "not loaded"}: ${e.error.message}`);
    if (e.type === "lock") io.err(`playbook lock ${e.status}: ${e.message}`);
  }, { policy, lock: { ...(s.playbookLock ? { file: s.playbookLock, required: true } : {}), ...(s.playbookLockKey ? { verifyKeyPem: readFileSync(s.playbookLockKey, "utf8") } : {}) } });
  if (playbookWatcher) library.push(...playbookWatcher.playbooks());
  if (playbookWatcher?.lock().status === "absent") io.err(`playbook lock absent: ${playbookWatcher.lock().message}`);
  try {
    const choice = await chooseMetricSource({ prometheus: s.prometheus, metricsUrl: s.metricsUrl, server: client.server, clock, queries: s.telemetry });
    let agents: Agents = s.agents ?? createEmbeddedAgents({ playbooks: library });
    const model = createChatModel(s.llm);
    if (model && s.llm.provider === "openai") {
      agents = withLlm(agents, {
        model, modelName: s.llm.model, maxToolRounds: s.llm.maxToolRounds, policy, tools: s.llm.tools,
        record: (call) => {
          recordLlmCall(ledger, call);
          metrics.onLlmCall(call);
          if (call.reasoner === "embedded") io.err(`llm: the ${call.agent} agent fell back to its embedded reasoner: ${call.fallbackReason}`);
        },
      });
    }
    const watchdog = new Watchdog({
      kubeConfig: kc, client, clock, namespaces: s.namespaces, ledger, checkpointer, policy, agents,
      metricSource: choice.source, metrics, alerts,
      dryRun: s.dryRun, once: s.once, detectIntervalMs: s.intervalMs, identity: s.identity ?? identityFor(s.ledgerPath), maxAttempts: s.maxAttempts,
      ...(s.predict ? { predictor: predictorFor(client, { ...(choice.source ? { metrics: choice.source } : {}) }) } : {}),
      leaseNamespace: s.leaseNamespace ?? podNamespace(), ...(s.leaderElect && !s.once ? { leaderElection: { ...s.leaderElection } } : {}), ...(s.syncTimeoutMs !== undefined ? { informerSyncTimeoutMs: s.syncTimeoutMs } : {}),
      transactionSettings: s.stabilizationMs !== undefined ? { stabilizationMs: s.stabilizationMs } : undefined,
      health: s.health,
      story: (line) => io.out(line),
      log: (line) => io.err(line),
      onTransactionStep: s.onTransactionStep,
    });
    io.err(`stratus watch: cluster ${client.server} (from ${found.source}); ledger ${s.ledgerPath}; policy ${policy.source ?? "built-in default"}; llm ${describeLlm(s.llm)}; metrics ${choice.description}`);
    if (metricsListen) {
      metricsServer = await startMetricsServer(metricsListen, metrics);
      io.err(`serving ${metricsServer.url}/metrics`);
    }
    if (s.listen) {
      const authenticator = new KubeAuthenticator(client);
      server = await startServer(s.listen, {
        alerts, ledger,
        // Callers are who the cluster says (TokenReview) and may do what its RBAC says (SubjectAccessReview).
        authenticator,
        // MCP for assistants at /mcp: the same tools as `stratus mcp`, the same authenticator and approvals.
        // The ledger web UI at /ui: timelines, diffs, health charts, approvals — same authenticator.
        routes: [uiRoutes({ ledger, authenticator, incidents: () => watchdog.incidents(), approve: (id, body) => watchdog.approve(id, body), verify: () => ledger.verify() }), mcpRoute({ ledger, reader: client, dryRunClient: client, clock, namespaces: () => watchdog.namespaces(), policy, agents, ...(choice.source ? { metrics: choice.source } : {}), alerts: () => alerts.firing(), liveIncidents: () => watchdog.incidents(), approve: (id, body) => watchdog.approve(id, body) }, authenticator)],
        readiness: () => watchdog.readiness(),
        incidents: () => watchdog.incidents(),
        approve: (id, body) => watchdog.approve(id, body),
        onAlerts: () => watchdog.poke(),
        ...(alertToken ? { alertToken } : {}),
        ...(alertBasicAuth ? { alertBasicAuth } : {}),
      });
      if (!alertToken && !alertBasicAuth) io.err("alert intake is closed (POST /alerts answers 403): pass --alert-token-file FILE (or set STRATUS_ALERT_TOKEN) or --alert-basic-auth-file FILE to take Alertmanager's alerts");
      io.err(`serving ${server.url}: /healthz, /readyz, POST /alerts; with a Kubernetes bearer token: /api/ledger, /api/incidents, POST /approvals/ID, MCP at POST /mcp`);
    }
    const stop = () => void watchdog.stop();
    let signals = 0;
    const onSignal = () => {
      if (++signals > 1) {
        io.err("stopping now; any unfinished transaction is rolled back on the next start");
        process.exit(130);
      }
      io.err("stopping: letting the running transaction commit or roll back (Ctrl-C again to stop at once)");
      stop();
    };
    if (s.handleSignals) {
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
    }
    s.signal?.addEventListener("abort", stop, { once: true });
    if (s.signal?.aborted) stop();
    s.onStarted?.({ ledgerPath: s.ledgerPath, url: server?.url, ...(metricsServer ? { metricsUrl: metricsServer.url } : {}), watchdog });
    try {
      return await watchdog.run();
    } finally {
      if (s.handleSignals) {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
      io.err(`ledger: ${s.ledgerPath} (review it: stratus ledger list --db ${s.ledgerPath})`);
    }
  } finally {
    playbookWatcher?.close();
    await server?.close();
    await metricsServer?.close();
    closeCheckpointer(checkpointer);
    ledger.close();
  }
}

/**
 * The writer Lease holder: this process's unique identity (host, pid, random) with the ledger it
 * writes, so the Lease says which ledger its holder records to. Two processes sharing one ledger
 * path still get two identities: only one of them holds the Lease and writes.
 */
export const identityFor = (ledgerPath: string) => `${DEFAULT_IDENTITY}/${createHash("sha256").update(ledgerPath).digest("hex").slice(0, 8)}`;

/** `--metrics-listen` checked against `--listen` as a usage error (they may not share a port). */
function metricsFlag(listen: string | undefined, metricsListen: string | undefined): string | undefined {
  try {
    metricsListenFor(listen, metricsListen);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return metricsListen;
}

const optDuration = (flag: string, v: string | undefined) => (v === undefined ? undefined : durationFlag(flag, v));

function intFlag(flag: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got "${v}"`);
  return n;
}

function positive(flag: string, v: string): number {
  const n = Number(v);
  if (!(n > 0)) throw new UsageError(`${flag} must be a number > 0, got "${v}"`);
  return n;
}

/** `--telemetry PRESET|FILE` resolved, a bad value as a usage error naming the field and line. */
export function telemetryFlag(spec: string): TelemetryQueries {
  try {
    return resolveTelemetry(spec);
  } catch (e) {
    throw new UsageError(`--telemetry: ${(e as Error).message}`);
  }
}

/**
 * Leader election timings from their flags, checked as client-go checks a LeaderElectionConfig:
 * lease duration > renew deadline > retry period × 1.2 (its jitter). Durations must be whole seconds
 * for the lease (the Lease stores leaseDurationSeconds).
 */
function leaderTimings(lease?: string, renew?: string, retry?: string): WatchSetup["leaderElection"] {
  const leaseMs = optDuration("--leader-elect-lease-duration", lease);
  const renewMs = optDuration("--leader-elect-renew-deadline", renew);
  const retryMs = optDuration("--leader-elect-retry-period", retry);
  if (leaseMs !== undefined && leaseMs % 1000 !== 0) throw new UsageError(`--leader-elect-lease-duration: ${lease} is not whole seconds (a Lease stores leaseDurationSeconds)`);
  const l = leaseMs ?? DEFAULT_LEADER_LEASE_DURATION_SECONDS * 1000;
  const r = renewMs ?? (l * 2) / 3;
  const p = retryMs ?? 2000;
  if (!(l > r)) throw new UsageError(`--leader-elect-lease-duration (${l / 1000}s) must be longer than --leader-elect-renew-deadline (${r / 1000}s)`);
  if (!(r > p * 1.2)) throw new UsageError(`--leader-elect-renew-deadline (${r / 1000}s) must be longer than 1.2 × --leader-elect-retry-period (${p / 1000}s)`);
  return { ...(leaseMs !== undefined ? { leaseDurationSeconds: leaseMs / 1000 } : {}), ...(renewMs !== undefined ? { renewDeadlineMs: renewMs } : {}), ...(retryMs !== undefined ? { retryPeriodMs: retryMs } : {}) };
}

/**
 * Every default of the eval runner in one place: where scenarios live, the simulated-time budget
 * and phases of a run, how the runner samples health, and the wall-clock guard per scenario.
 * Scenario files override the budget; the CLI overrides concurrency and the agents. Stratus itself
 * runs with the watchdog's defaults (detection tick, health sampling, lock wait).
 */

/** Scenario files or folders when none are given. */
export const DEFAULT_SCENARIO_PATH = "evals/scenarios";

/** Simulated time an app runs before the baseline is taken (pods start, traffic flows). */
export const DEFAULT_WARMUP_MS = 60_000;
/** Simulated time after the last injection that a scenario runs at most, unless its budget says otherwise. */
export const DEFAULT_SIM_BUDGET_MS = 20 * 60_000;
/** Mitigation attempts per incident, unless the scenario's budget says otherwise. */
export const DEFAULT_ATTEMPTS = 5;
/**
 * How long a scenario in which nothing should happen is watched after its last injection (a no-fault
 * or noise-only scenario, a self-healing fault): long enough for detection's windows to have fired.
 */
export const DEFAULT_QUIET_WATCH_MS = 3 * 60_000;
/** After the oracle passes and no incident is open, watch this much longer (a late regression shows). */
export const DEFAULT_COOLDOWN_MS = 60_000;
/** How often the runner polls the oracles once Stratus has committed something. */
export const DEFAULT_ORACLE_POLL_MS = 15_000;

/** Simulated time Stratus watches the healthy app before the first injection (its detectors learn a baseline). */
export const DEFAULT_LEAD_IN_MS = 30_000;
/** Simulated time after the last injection with no incident at all before the runner stops waiting. */
export const DEFAULT_GIVE_UP_UNDETECTED_MS = 8 * 60_000;
/** Simulated time after an escalation with no new incident before the runner stops waiting. */
export const DEFAULT_GIVE_UP_AFTER_ESCALATION_MS = 120_000;

/** The runner's own health sampling (independent of the agent's). */
export const DEFAULT_HEALTH_SAMPLE_MS = 15_000;
/** Samples folded into one verdict (hysteresis), as the telemetry's window does. */
export const DEFAULT_HEALTH_WINDOW = 3;

/** Wall-clock guard per scenario: past it the scenario is reported as an error and the run goes on. */
export const DEFAULT_SCENARIO_WALL_TIMEOUT_MS = 120_000;
/** Scenario runs in parallel (child processes) when --concurrency is not given. */
export const DEFAULT_CONCURRENCY = 2;

/** Bearer tokens the runner hands out, so the API server can tell who wrote what. */
export const TOKENS = { injector: "eval-injector-token", stratus: "eval-stratus-token", runner: "eval-runner-token" } as const;

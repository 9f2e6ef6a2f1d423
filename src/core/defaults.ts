/**
 * Defaults for the staging core — plans, waits, the policy guard — in one place, so a limit is
 * changed here and nowhere else. Plain constants only; callers override them through options or
 * the policy file, never by editing literals scattered through the code.
 */
import type { RiskClass } from "./actions/action.ts";

/** At most this many actions in one plan / transaction (K in ARCHITECTURE.md). */
export const DEFAULT_MAX_ACTIONS = 10;

/** The largest `maxActionsPerTransaction` a policy file may set: a sanity bound, not a target. */
export const MAX_ACTIONS_HARD_LIMIT = 100;

/** How long a plan's `wait` step waits when it names no timeout. */
export const DEFAULT_WAIT_TIMEOUT_MS = 60_000;

/** The longest a single `wait` step may wait; longer waits belong to a person, not a plan. */
export const MAX_WAIT_TIMEOUT_MS = 30 * 60_000;
/** The longest a plan's own approval gate may wait for a person. */
export const MAX_APPROVAL_TIMEOUT_MS = 24 * 3600_000;

/** How often `waitFor` re-reads the cluster. */
export const DEFAULT_WAIT_POLL_MS = 1_000;

/** Risk classes that need a person's approval unless the policy says otherwise. */
export const DEFAULT_REQUIRE_APPROVAL: readonly RiskClass[] = ["high"];

/** Kinds whose writes at or above DEFAULT_APPROVAL_KINDS_RISK need a person's approval by default: credentials and nodes. */
export const DEFAULT_APPROVAL_KINDS: readonly string[] = ["Secret", "Node"];
export const DEFAULT_APPROVAL_KINDS_RISK: RiskClass = "medium";

/** Namespaces never in scope unless a policy file lists them explicitly: the cluster's own. */
export const DEFAULT_EXCLUDED_NAMESPACES: readonly string[] = ["kube-system", "kube-public", "kube-node-lease"];

/** Longest value a summary or diff line prints before it is cut with "…". */
export const DEFAULT_SUMMARY_VALUE_CHARS = 80;

/** Alerts (in the incident's scope) arriving within one verification window at or above this count are a burst: the verdict is Inconclusive, not a regression. */
export const DEFAULT_ALERT_BURST = 10;

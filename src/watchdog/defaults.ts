/**
 * The watchdog's defaults in one place: how often detection looks, how health is sampled for a
 * transaction, how long `--once` waits for quiet and at most, and the writer identity. Flags
 * override them; nothing else in src/watchdog carries a literal.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/** Detection looks this often (clock ms), and sooner when an informer sees a change. */
export const DEFAULT_DETECT_INTERVAL_MS = 5_000;
/** The shortest gap between two looks, however busy the informers are. */
export const MIN_DETECT_GAP_MS = 1_000;
/** An incident's replica baseline is the highest count in effect this long before its onset (the change came first). */
export const DEFAULT_BASELINE_LOOKBACK_MS = 2 * 60_000;
/** Health for a transaction's H0/H1/H2: this many samples this far apart (hysteresis). */
export const DEFAULT_HEALTH_SAMPLES = 3;
export const DEFAULT_HEALTH_INTERVAL_MS = 5_000;
/**
 * Verification of an incident's fix ends before the whole stabilisation once the incident's own
 * checks have passed in every sample for this long (and the window's verdict is Successful): long
 * enough for a restarted crash-looping container to fail again, short beside the stabilisation.
 */
export const DEFAULT_SETTLE_MIN_CLEAR_MS = 15_000;
/** The health-severity gauge is refreshed this often. */
export const DEFAULT_HEALTH_GAUGE_INTERVAL_MS = 15_000;
/** An escalated incident's symptoms coming back within this long do not open a new incident. */
export const DEFAULT_ESCALATION_QUIET_MS = 30 * 60_000;
/** --once: exit when nothing has been open for this long (longer than detection's hold times)... */
export const DEFAULT_ONCE_QUIET_MS = 90_000;
/** ...or when this much clock time has passed, whatever is still open. */
export const DEFAULT_ONCE_TIMEOUT_MS = 15 * 60_000;
/** Informers must list and start watching within this much wall time. */
export const DEFAULT_INFORMER_SYNC_TIMEOUT_MS = 30_000;
/** A failed list or watch is restarted after this much wall time, doubling per failure up to the max. */
export const INFORMER_RESTART_DELAY_MS = 1_000;
export const INFORMER_MAX_RESTART_DELAY_MS = 30_000;
/** `watch --once` exit code when the watchdog is blind: no cluster, API server unreachable, informers never synced. */
export const EXIT_BLIND = 3;
/**
 * The writer Lease holder name: unique to this process (host, pid and random bytes), so two
 * watchdogs never share one identity — not even two started with the same ledger on one host — and
 * only one of them writes. A restarted watchdog is a new holder: it waits for its predecessor's
 * Lease to expire (a clean stop releases it at once).
 */
export const DEFAULT_IDENTITY = `stratus@${hostname()}/${process.pid}-${randomBytes(4).toString("hex")}`;
/** How long a transaction waits for the writer Lease (another Stratus mitigating) before aborting. */
export const DEFAULT_TX_LOCK_WAIT_MS = 60_000;
/** How long recovery waits for another holder's Lease at start. */
export const DEFAULT_RECOVERY_LOCK_WAIT_MS = 60_000;

/** Objects per page of an informer's initial list (client-go's reflector pages by 500). */
export const LIST_PAGE_SIZE = 500;

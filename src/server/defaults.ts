/**
 * The HTTP server's defaults in one place: how much alert intake keeps in memory, what counts as a
 * burst of alerts, and where the alert sender's bearer token comes from when no flag names a file.
 */

/** The alert store keeps at most this many alerts; past it the oldest received is dropped. */
export const DEFAULT_MAX_ALERTS = 2_000;
/** ...and at most this many bytes of labels and annotations (approximate, UTF-16 length). */
export const DEFAULT_MAX_ALERT_BYTES = 4 * 1024 * 1024;
/** Arrival times are remembered this long (clock ms), for burst questions about the recent past. */
export const DEFAULT_ALERT_ARRIVAL_MEMORY_MS = 30 * 60_000;
/** ...and at most this many arrival times (one per alert received). */
export const MAX_ALERT_ARRIVALS = 10_000;
/** The environment variable holding the alert senders' bearer token, when no --alert-token-file is given. */
export const ALERT_TOKEN_ENV = "STRATUS_ALERT_TOKEN";
/** A token shorter than this is refused at start: it could be guessed. */
export const MIN_ALERT_TOKEN_CHARS = 16;

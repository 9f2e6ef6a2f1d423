/** Defaults for TNR transactions: how long to let a change settle and how hard to retry. */
export const DEFAULT_STABILIZATION_MS = 30_000;
export const DEFAULT_MAX_CONFLICT_RETRIES = 3;
export const DEFAULT_MAX_API_RETRIES = 4;
export const DEFAULT_API_RETRY_BASE_MS = 500;
export const DEFAULT_LOCK_WAIT_MS = 0;
/** Restoring an object retries this many times (409 while a controller writes status, 5xx). */
export const DEFAULT_RESTORE_ATTEMPTS = 5;

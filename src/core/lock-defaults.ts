/** Defaults for the writer Lease: where it lives and how long a silent holder keeps it. */
export const DEFAULT_LEASE_NAMESPACE = "default";
export const DEFAULT_LEASE_NAME = "stratus-writer";
export const DEFAULT_LEASE_DURATION_SECONDS = 15;
/** Retries of a Lease read/write that fails with 5xx or no answer, before acquiring gives up. */
export const LOCK_API_RETRIES = 4;

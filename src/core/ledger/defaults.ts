/**
 * Defaults for the mitigation ledger, in one place: where the database lives, how long a writer
 * waits for another process's lock, the genesis hash the chain starts from, size limits on what an
 * entry may carry, and the default entry id generator. Everything here is a plain constant or a
 * pure function; callers override them through `openLedger` options, never by editing literals
 * scattered through the code.
 */

/** Where `stratus ledger` looks when no `--db` is given. */
export const DEFAULT_LEDGER_PATH = './stratus-ledger.db';

/** How long an append waits for another process's write lock before failing (ms). */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/** The `prevHash` of the first entry: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** Largest canonical payload an entry may carry (snapshots hold whole objects). */
export const DEFAULT_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

/** Longest incident / transaction id accepted. */
export const MAX_REF_ID_LENGTH = 200;

/** Most object refs one entry may name. */
export const MAX_OBJECT_REFS = 1_000;

/** How many entries `stratus ledger list` prints when no `--limit` is given. */
export const DEFAULT_LIST_LIMIT = 100;

/** Widest one-line payload summary (the SUMMARY column of `stratus ledger list`). */
export const DEFAULT_SUMMARY_WIDTH = 80;

/** Default id generator: `e-000123` (zero-padded to six digits, longer past a million). */
export function sequentialEntryId(seq: number): string {
  return `e-${String(seq).padStart(6, '0')}`;
}

/** Bytes of a generated ledger MAC key (HMAC-SHA256). */
export const DEFAULT_KEY_BYTES = 32;

/** Shortest key accepted (from a file or a Secret). */
export const MIN_KEY_BYTES = 32;

/** The key file used when none is given: beside the ledger. */
export function defaultKeyPath(ledgerPath: string): string {
  return `${ledgerPath}.key`;
}

/** The head anchor file beside the ledger. */
export function defaultHeadPath(ledgerPath: string): string {
  return `${ledgerPath}.head`;
}

/** The data key file (sealing Secret values at rest) used when none is given: beside the ledger. */
export function defaultDataKeyPath(ledgerPath: string): string {
  return `${ledgerPath}.datakey`;
}

/**
 * Typed errors for the mitigation ledger. Every failure the ledger reports to a caller is a
 * `LedgerError` carrying a stable `code` (for programs) and a message that says what went wrong
 * and what to do next (for people). Self-contained on purpose: a shared `src/core/errors.ts` may
 * later adopt these codes, but nothing here depends on it. Throw for bugs and refused input only;
 * a tampered chain is not thrown, it is a `VerifyResult` with `ok: false`.
 */

export const LEDGER_ERROR_CODES = [
  'LEDGER_OPEN', // the file is missing, unreadable, or not a Stratus ledger
  'LEDGER_SCHEMA', // the schema is newer than this build, or a migration failed
  'LEDGER_INVALID_ENTRY', // append() input failed validation
  'LEDGER_UNKNOWN_KIND', // append() input names an entry kind that does not exist
  'LEDGER_INVALID_QUERY', // a query filter is malformed (bad time, bad limit, ...)
  'LEDGER_CORRUPT_ROW', // a stored row no longer parses (edited outside Stratus)
  'LEDGER_TRANSACTION', // misuse of transaction(): e.g. an async callback
  'LEDGER_BUSY', // another process held the write lock past the busy timeout
  'LEDGER_KEY', // the MAC key is missing, unreadable, too short, or not this ledger's
  'LEDGER_ANCHOR', // the head anchor cannot be read or written
  'LEDGER_SEALED', // a sealed value cannot be opened: its data key is absent, or the ciphertext was altered
] as const;

export type LedgerErrorCode = (typeof LEDGER_ERROR_CODES)[number];

export class LedgerError extends Error {
  override readonly name = 'LedgerError';
  readonly code: LedgerErrorCode;
  /** Machine-readable context: the offending field, value, seq, path... */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: LedgerErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** True when `err` is a LedgerError, optionally with the given code. */
export function isLedgerError(err: unknown, code?: LedgerErrorCode): err is LedgerError {
  return err instanceof LedgerError && (code === undefined || err.code === code);
}

/**
 * The mitigation ledger: an append-only, hash-chained record of everything Stratus does, in SQLite.
 * Open it with `openLedger`, write through the `LedgerStore` interface (`append`, `transaction`),
 * read with `query` and the `by*` shortcuts, and check it with `verify`. This file names the public
 * surface; modules outside `core/ledger/` import from here only.
 */
export { openLedger, SqliteLedger } from './sqlite-ledger.ts';
export type { OpenLedgerOptions } from './sqlite-ledger.ts';
export type {
  ChainHead,
  LedgerQuery,
  LedgerReader,
  LedgerStore,
  LedgerWriter,
  ObjectQuery,
  Page,
  TimeBound,
  VerifyFailure,
  VerifyProblem,
  VerifyResult,
} from './store.ts';
export { ENTRY_KINDS, TRANSACTIONAL_KINDS, isEntryKind, parseAppendInput } from './entry.ts';
export type { AppendInput, EntryKind, LedgerEntry, ObjectRef } from './entry.ts';
export { LedgerError, isLedgerError, LEDGER_ERROR_CODES } from './errors.ts';
export type { LedgerErrorCode } from './errors.ts';
export { canonicalJson, hashEntry } from './canonical.ts';
export type { HashableEntry, JsonObject, JsonValue } from './canonical.ts';
export { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate } from './migrations.ts';
export type { Migration, MigrateResult } from './migrations.ts';
export { normalizeTime } from './query.ts';
export { verifyDatabase } from './verify.ts';
export { FileAnchor, MemoryAnchor, parseAnchorContent, signHead, headSignedBy, SignedHeadSchema } from './anchor.ts';
export type { AnchorRead, HeadAnchor, SignedHead } from './anchor.ts';
export { fileKeySource, keyId, parseKey, readKeyFile } from './key.ts';
export type { LedgerKeySource } from './key.ts';
export { createPrivateFile, ensurePrivateFile, writePrivateFileAtomic, PRIVATE_MODE } from './private-file.ts';
export type { VerifyOptions } from './verify.ts';
export { summarizeEntry, formatObjectRef, truncate } from './summary.ts';
export { DEFAULT_LEDGER_PATH, DEFAULT_LIST_LIMIT, GENESIS_HASH, defaultDataKeyPath, defaultHeadPath, defaultKeyPath, sequentialEntryId } from './defaults.ts';
export { DataKeyRing, dataKeyId, parseDataKeys } from './data-key.ts';
export type { DataKey, DataKeyRingOptions } from './data-key.ts';
export { SEALED_MASK, SEALED_PREFIX, holdsSealed, isSealed, openBytes, sealBytes } from './sealed-values.ts';

/**
 * The graph's checkpointer: SQLite (LangGraph's SqliteSaver) in its own file beside the ledger,
 * so a watchdog killed mid-incident finds each thread where it stopped. The ledger stays the
 * record people review; the checkpoints are only the graph's working memory. That memory holds
 * plans and evidence, so a file-backed checkpointer seals every row (sealed-checkpoints.ts) with
 * the data keys in `<file>.datakey` (created 0600 on first write) or the ones given.
 */
import { chmodSync, existsSync } from "node:fs";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { DataKeyRing } from "../core/ledger/index.ts";
import { ensurePrivateFile } from "../core/ledger/private-file.ts";
import { SealedSerde } from "./sealed-checkpoints.ts";

export type CheckpointKeys = {
  /** Data keys (32 bytes each, newest first); win over `dataKeyFile`. */
  dataKeys?: readonly Buffer[];
  /** The data key file; default `<file>.datakey`. Pass the ledger's to keep one key for both. */
  dataKeyFile?: string;
};

/** "./stratus-ledger.db" → "./stratus-ledger.checkpoints.db". */
export function checkpointPathFor(ledgerPath: string): string {
  if (ledgerPath === ":memory:") return ":memory:";
  return ledgerPath.replace(/(\.db|\.sqlite3?)?$/i, ".checkpoints.db");
}

/** Opens (creating 0600, like the ledger: checkpoints hold plans and incident state) the checkpoint file. */
export function openCheckpointer(file: string, keys: CheckpointKeys = {}): SqliteSaver {
  if (file !== ":memory:") ensurePrivateFile(file);
  const saver = SqliteSaver.fromConnString(file);
  // In memory nothing reaches a disk: no sealing needed (nor a key file to create).
  if (file !== ":memory:") saver.serde = new SealedSerde(saver.serde, new DataKeyRing({ keys: keys.dataKeys, file: keys.dataKeyFile ?? `${file}.datakey` }));
  if (file !== ":memory:") for (const side of [`${file}-wal`, `${file}-shm`, `${file}-journal`]) if (existsSync(side)) chmodSync(side, 0o600);
  return saver;
}

export function closeCheckpointer(saver: SqliteSaver): void {
  try {
    saver.db.close();
  } catch {
    /* already closed */
  }
}

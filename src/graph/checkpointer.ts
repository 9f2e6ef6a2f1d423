/**
 * The graph's checkpointer: SQLite (LangGraph's SqliteSaver) in its own file beside the ledger,
 * so a watchdog killed mid-incident finds each thread where it stopped. The ledger stays the
 * record people review; the checkpoints are only the graph's working memory.
 */
import { chmodSync, existsSync } from "node:fs";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { ensurePrivateFile } from "../core/ledger/private-file.ts";

/** "./stratus-ledger.db" → "./stratus-ledger.checkpoints.db". */
export function checkpointPathFor(ledgerPath: string): string {
  if (ledgerPath === ":memory:") return ":memory:";
  return ledgerPath.replace(/(\.db|\.sqlite3?)?$/i, ".checkpoints.db");
}

/** Opens (creating 0600, like the ledger: checkpoints hold plans and incident state) the checkpoint file. */
export function openCheckpointer(file: string): SqliteSaver {
  if (file !== ":memory:") ensurePrivateFile(file);
  const saver = SqliteSaver.fromConnString(file);
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

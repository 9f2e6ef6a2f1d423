/**
 * The graph's checkpointer: SQLite (LangGraph's SqliteSaver) in its own file beside the ledger,
 * so a watchdog killed mid-incident finds each thread where it stopped. The ledger stays the
 * record people review; the checkpoints are only the graph's working memory.
 */
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";

/** "./stratus-ledger.db" → "./stratus-ledger.checkpoints.db". */
export function checkpointPathFor(ledgerPath: string): string {
  if (ledgerPath === ":memory:") return ":memory:";
  return ledgerPath.replace(/(\.db|\.sqlite3?)?$/i, ".checkpoints.db");
}

export function openCheckpointer(file: string): SqliteSaver {
  return SqliteSaver.fromConnString(file);
}

export function closeCheckpointer(saver: SqliteSaver): void {
  try {
    saver.db.close();
  } catch {
    /* already closed */
  }
}

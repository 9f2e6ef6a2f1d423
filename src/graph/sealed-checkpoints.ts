/**
 * Checkpoints at rest, sealed. The graph's state holds plans (a credential param, a Secret to
 * restore), diagnosis evidence and tool output — working memory that must survive a crash but must
 * not put a credential on disk in the clear. This serializer wraps LangGraph's own: every
 * checkpoint, its metadata and every pending write is AES-256-GCM sealed as a whole with the
 * ledger's data-key machinery (core/ledger/data-key.ts: one key per line, newest first, old lines
 * kept for reading). The sealed form is ASCII, so SqliteSaver's `CAST(value AS TEXT)` of pending
 * writes survives. Rows written before sealing (plain JSON) still load.
 */
import type { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { isSealed, openBytes, sealBytes, type DataKeyRing } from "../core/ledger/index.ts";

type Serde = SqliteSaver["serde"];

export class SealedSerde implements Serde {
  constructor(
    private readonly inner: Serde,
    private readonly keys: DataKeyRing,
  ) {}

  async dumpsTyped(data: unknown): Promise<[string, Uint8Array]> {
    const [type, bytes] = await this.inner.dumpsTyped(data);
    return [type, Buffer.from(sealBytes(bytes, this.keys.current()), "ascii")];
  }

  async loadsTyped(type: string, data: Uint8Array | string): Promise<unknown> {
    const text = typeof data === "string" ? data : Buffer.from(data).toString("latin1");
    if (!isSealed(text)) return this.inner.loadsTyped(type, data);
    return this.inner.loadsTyped(type, new Uint8Array(openBytes(text, this.keys, "a checkpoint")));
  }
}

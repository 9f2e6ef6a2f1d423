/**
 * Checkpoints hold plans and incident state, so the file is created private (0600), like the ledger,
 * and a thread written to it reads back from a fresh saver on the same file.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { closeCheckpointer, openCheckpointer } from "../../src/graph/index.ts";

describe("checkpoint file", () => {
  it("is created 0600 and keeps what was written", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-cp-"));
    const file = join(dir, "ledger.checkpoints.db");
    try {
      const cfg = { configurable: { thread_id: "inc-1", checkpoint_ns: "" } };
      const s = openCheckpointer(file);
      await s.put(cfg, { v: 1, id: "1", ts: new Date(0).toISOString(), channel_values: { status: "open" }, channel_versions: {}, versions_seen: {} } as never, { source: "input", step: 0, parents: {} } as never);
      closeCheckpointer(s);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const again = openCheckpointer(file);
      assert.equal((await again.getTuple(cfg))?.checkpoint.channel_values.status, "open");
      closeCheckpointer(again);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

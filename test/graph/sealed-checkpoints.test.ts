/**
 * Checkpoints hold plans (a credential param) and evidence: on disk they are sealed, read back
 * exactly with the data key, and refuse to load without it rather than resume from garbage.
 */
import crypto from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { closeCheckpointer, openCheckpointer } from "../../src/graph/index.ts";

describe("sealed checkpoints", () => {
  it("hold no plaintext on disk, read back exactly, and need the data key", async () => {
    const planted = `s3cret-${crypto.randomBytes(8).toString("hex")}`;
    const dir = mkdtempSync(join(tmpdir(), "stratus-cp-sealed-"));
    const file = join(dir, "ledger.checkpoints.db");
    const cfg = { configurable: { thread_id: "inc-1", checkpoint_ns: "" } };
    const plan = { steps: [{ id: "rotate", action: { type: "set-config", params: { namespace: "shop", kind: "Secret", name: "db", key: "password", value: planted } } }] };
    try {
      const s = openCheckpointer(file);
      const saved = await s.put(cfg, { v: 4, id: "1", ts: new Date(0).toISOString(), channel_values: { plan }, channel_versions: {}, versions_seen: {} } as never, { source: "input", step: 0, parents: {} } as never);
      await s.putWrites(saved, [["plan", { ...plan, note: planted }]], "task-1");
      closeCheckpointer(s);
      const bytes = [file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f).toString("latin1")).join("");
      assert.ok(!bytes.includes(planted), "the plan's credential is on disk in the clear");
      assert.equal(statSync(`${file}.datakey`).mode & 0o777, 0o600);

      const again = openCheckpointer(file);
      const tuple = await again.getTuple(cfg);
      assert.deepEqual(tuple?.checkpoint.channel_values.plan, plan);
      assert.equal((tuple?.pendingWrites?.[0]?.[2] as { note: string }).note, planted);
      closeCheckpointer(again);

      renameSync(`${file}.datakey`, `${file}.datakey.away`);
      const keyless = openCheckpointer(file);
      await assert.rejects(keyless.getTuple(cfg), /sealed with data key [0-9a-f]{16}/);
      closeCheckpointer(keyless);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Live reloading: a playbook edited on disk is reloaded within the debounce; an invalid edit is
 * rejected with its file, line and field, and the last good version stays in force; a new file is
 * loaded and a deleted one dropped.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_POLICY } from "../../src/core/policy.ts";
import { DEFAULT_PLAYBOOK_DIR, watchPlaybooks, type LibraryEvent } from "../../src/playbooks/index.ts";
import { eventually } from "../helpers/sandbox.ts";

describe("watchPlaybooks", () => {
  it("reloads valid edits, rejects invalid ones keeping the last good version, and follows new and deleted files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-watch-"));
    const file = join(dir, "scale-back.yaml");
    const original = readFileSync(join(DEFAULT_PLAYBOOK_DIR, "scale-back.yaml"), "utf8");
    writeFileSync(file, original);
    const events: LibraryEvent[] = [];
    const w = watchPlaybooks(dir, (e) => events.push(e), { debounceMs: 50, policy: DEFAULT_POLICY });
    try {
      assert.deepEqual(events.map((e) => e.type), ["loaded"]);
      assert.equal(w.get("scale-back")?.version, "1.0.0");

      writeFileSync(file, original.replace("version: 1.0.0", "version: 1.1.0"));
      await eventually(() => w.get("scale-back")?.version === "1.1.0", 10_000, "the edit to be reloaded");
      const reloaded = events.find((e) => e.type === "reloaded");
      assert.ok(reloaded && reloaded.type === "reloaded" && reloaded.previous.version === "1.0.0");

      writeFileSync(file, original.replace("version: 1.0.0", "version: 1.2.0").replace("    action: scale\n", "    action: scale\n    retires: 3\n"));
      const rejected = await eventually(() => events.find((e) => e.type === "rejected"), 10_000, "the invalid edit to be rejected");
      assert.ok(rejected.type === "rejected");
      assert.match(rejected.error.message, /scale-back\.yaml:\d+: steps\[0\]\.retires: unknown field "retires"/);
      assert.equal(rejected.kept?.version, "1.1.0");
      assert.equal(w.get("scale-back")?.version, "1.1.0", "the last good version stays in force");

      copyFileSync(join(DEFAULT_PLAYBOOK_DIR, "rollout-undo.yaml"), join(dir, "rollout-undo.yaml"));
      await eventually(() => w.get("rollout-undo"), 10_000, "the new file to load");
      rmSync(file);
      await eventually(() => !w.get("scale-back"), 10_000, "the deleted file's playbook to be dropped");
      assert.deepEqual(w.playbooks().map((p) => p.name), ["rollout-undo"]);
      assert.ok(events.some((e) => e.type === "removed"));
    } finally {
      w.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

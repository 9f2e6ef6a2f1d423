/**
 * Digest-locked playbooks: `stratus playbook lock` writes playbooks.lock (sha256 of each playbook
 * and of each action script it runs, optionally Ed25519-signed); the watcher loads only matching
 * files on start, refuses an edited playbook on hot reload naming the digest mismatch (keeping the
 * locked version in force), refuses an edited action script, accepts the edit once re-locked, and
 * refuses everything when the lock's signature does not verify or a required lock is missing.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { DEFAULT_POLICY } from "../../src/core/policy.ts";
import { DEFAULT_PLAYBOOK_DIR, LOCK_FILE, watchPlaybooks, type LibraryEvent } from "../../src/playbooks/index.ts";
import { eventually } from "../helpers/sandbox.ts";

const EXAMPLES = join(import.meta.dirname, "../../examples/custom-actions");

async function stratus(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["playbook", ...argv], { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** A library with the shipped scale-back playbook and the example custom action (playbook + script). */
function library(): string {
  const dir = mkdtempSync(join(tmpdir(), "stratus-lock-"));
  copyFileSync(join(DEFAULT_PLAYBOOK_DIR, "scale-back.yaml"), join(dir, "scale-back.yaml"));
  copyFileSync(join(EXAMPLES, "revert-and-page-owner.yaml"), join(dir, "revert-and-page-owner.yaml"));
  copyFileSync(join(EXAMPLES, "annotate-oncall.mjs"), join(dir, "annotate-oncall.mjs"));
  return dir;
}

const rejectedFor = (events: LibraryEvent[], name: string, from = 0) =>
  events.slice(from).find((e): e is Extract<LibraryEvent, { type: "rejected" }> => e.type === "rejected" && e.file.endsWith(name));

describe("playbook lock", () => {
  it("lock writes the digests of every playbook and action script; lock --check compares", async () => {
    const dir = library();
    try {
      const r = await stratus("lock", "--dir", dir);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /wrote .*playbooks\.lock: 2 playbooks, 1 action scripts/);
      const lock = JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8"));
      assert.deepEqual(Object.keys(lock.files), ["annotate-oncall.mjs", "revert-and-page-owner.yaml", "scale-back.yaml"]);
      for (const d of Object.values(lock.files)) assert.match(String(d), /^sha256:[0-9a-f]{64}$/);
      assert.equal((await stratus("lock", "--check", "--dir", dir)).code, 0);
      writeFileSync(join(dir, "annotate-oncall.mjs"), readFileSync(join(dir, "annotate-oncall.mjs"), "utf8") + "\n// edited\n");
      const check = await stratus("lock", "--check", "--dir", dir);
      assert.equal(check.code, 1);
      assert.match(check.err, /revert-and-page-owner\.yaml: refused by .*: digest mismatch for action script annotate-oncall\.mjs: the file has sha256:[0-9a-f]{64}, the lock expects sha256:[0-9a-f]{64}/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the watcher refuses an edited playbook on reload, naming the digest mismatch, and loads it once re-locked", async () => {
    const dir = library();
    const file = join(dir, "scale-back.yaml");
    const original = readFileSync(file, "utf8");
    assert.equal((await stratus("lock", "--dir", dir)).code, 0);
    const events: LibraryEvent[] = [];
    const w = watchPlaybooks(dir, (e) => events.push(e), { debounceMs: 50, policy: DEFAULT_POLICY });
    try {
      assert.equal(w.lock().status, "enforced");
      assert.deepEqual(w.playbooks().map((p) => p.name), ["revert-and-page-owner", "scale-back"]);

      const mark = events.length;
      writeFileSync(file, original.replace("version: 1.0.0", "version: 1.1.0"));
      const rejected = await eventually(() => rejectedFor(events, "scale-back.yaml", mark), 10_000, "the edited playbook to be refused");
      assert.match(rejected.error.message, /refused playbook .*scale-back\.yaml:\n\s+.*scale-back\.yaml:1: refused by .*playbooks\.lock: digest mismatch for playbook scale-back\.yaml: the file has sha256:[0-9a-f]{64}, the lock expects sha256:[0-9a-f]{64}/);
      assert.equal(rejected.kept?.version, "1.0.0");
      assert.equal(w.get("scale-back")?.version, "1.0.0", "the locked version stays in force");

      // The operator reviews the edit and re-locks: the watcher reads the new lock and loads it.
      assert.equal((await stratus("lock", "--dir", dir)).code, 0);
      await eventually(() => w.get("scale-back")?.version === "1.1.0", 10_000, "the re-locked edit to load");
    } finally {
      w.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("on start, loads only matching files: an edited action script keeps its playbook out", async () => {
    const dir = library();
    assert.equal((await stratus("lock", "--dir", dir)).code, 0);
    writeFileSync(join(dir, "annotate-oncall.mjs"), "console.log('{}')\n");
    const events: LibraryEvent[] = [];
    const w = watchPlaybooks(dir, (e) => events.push(e), { debounceMs: 50, policy: DEFAULT_POLICY });
    try {
      assert.deepEqual(w.playbooks().map((p) => p.name), ["scale-back"]);
      const rejected = rejectedFor(events, "revert-and-page-owner.yaml");
      assert.ok(rejected);
      assert.match(rejected.error.message, /digest mismatch for action script annotate-oncall\.mjs/);
    } finally {
      w.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("verifies an Ed25519 signature: a tampered lock, or one signed by another key, refuses every playbook", async () => {
    const dir = library();
    const keys = generateKeyPairSync("ed25519");
    const other = generateKeyPairSync("ed25519");
    // The operator's key lives outside the library.
    const keyFile = join(mkdtempSync(join(tmpdir(), "stratus-lock-key-")), "sign.pem");
    writeFileSync(keyFile, keys.privateKey.export({ type: "pkcs8", format: "pem" }));
    const pub = keys.publicKey.export({ type: "spki", format: "pem" }).toString();
    try {
      const signed = await stratus("lock", "--dir", dir, "--sign-key", keyFile);
      assert.equal(signed.code, 0, signed.err);
      assert.match(signed.out, /signed \(ed25519\)/);
      const ok = watchPlaybooks(dir, () => {}, { policy: DEFAULT_POLICY, lock: { verifyKeyPem: pub } });
      assert.match(ok.lock().message, /signature verified/);
      assert.equal(ok.playbooks().length, 2);
      ok.close();

      const wrongKey = watchPlaybooks(dir, () => {}, { policy: DEFAULT_POLICY, lock: { verifyKeyPem: other.publicKey.export({ type: "spki", format: "pem" }).toString() } });
      assert.equal(wrongKey.lock().status, "invalid");
      assert.equal(wrongKey.playbooks().length, 0);
      wrongKey.close();

      // Someone edits a playbook and rewrites its digest in the lock by hand: the signature breaks.
      const lockFile = join(dir, LOCK_FILE);
      const lock = JSON.parse(readFileSync(lockFile, "utf8"));
      lock.files["scale-back.yaml"] = `sha256:${"0".repeat(64)}`;
      writeFileSync(lockFile, JSON.stringify(lock));
      const events: LibraryEvent[] = [];
      const tampered = watchPlaybooks(dir, (e) => events.push(e), { policy: DEFAULT_POLICY, lock: { verifyKeyPem: pub } });
      assert.equal(tampered.playbooks().length, 0);
      assert.match(tampered.lock().message, /signature that does not verify with the given key/);
      assert.equal(events.filter((e) => e.type === "rejected").length, 2);
      tampered.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(join(keyFile, ".."), { recursive: true, force: true });
    }
  });

  it("a required lock that is missing refuses every playbook; with no lock and none required, nothing is enforced", () => {
    const dir = library();
    try {
      const required = watchPlaybooks(dir, () => {}, { policy: DEFAULT_POLICY, lock: { file: join(dir, "missing.lock"), required: true } });
      assert.equal(required.lock().status, "invalid");
      assert.match(required.lock().message, /cannot read the playbook lock .*missing\.lock/);
      assert.equal(required.playbooks().length, 0);
      required.close();
      const open = watchPlaybooks(dir, () => {}, { policy: DEFAULT_POLICY });
      assert.equal(open.lock().status, "absent");
      assert.equal(open.playbooks().length, 2);
      open.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Digest-locked definitions. `playbooks.lock` (JSON, written by `stratus playbook lock`) lists the
 * sha256 of every playbook file in a library and of every script its exec steps run, by path
 * relative to the lock file, optionally signed with an Ed25519 key the operator holds. When a lock
 * is in force, a playbook loads (on start and on every hot reload) only if its bytes, and each of
 * its scripts' bytes, hash to what the lock says; otherwise it is refused with the file, the digest
 * found and the digest expected. A signature is checked when a verify key is given; given a key,
 * an unsigned or wrongly signed lock refuses everything. No lock file and no `--playbook-lock`:
 * nothing is enforced (the library loads as before) and the watchdog says so at start.
 */
import { createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, relative, resolve, sep } from "node:path";
import { z } from "zod";
import { StratusError } from "../base/errors.ts";
import { canonicalJson } from "../core/ledger/canonical.ts";
import type { PlaybookIssue } from "./errors.ts";
import type { ScriptRef } from "./exec-step.ts";
import type { Playbook } from "./schema.ts";

export const LOCK_FILE = "playbooks.lock";
const LOCK_KIND = "PlaybookLock";
const DIGEST = /^sha256:[0-9a-f]{64}$/;

const lockSchema = z.strictObject({
  kind: z.literal(LOCK_KIND),
  version: z.literal(1),
  files: z.record(z.string().min(1), z.string().regex(DIGEST, "must be sha256:<64 hex>")),
  signature: z.strictObject({ algorithm: z.literal("ed25519"), value: z.string().min(1) }).optional(),
});

export type PlaybookLock = {
  /** The lock file, and the folder its paths are relative to. */
  file: string;
  dir: string;
  files: Record<string, string>;
  /** True when a verify key was given and the signature checked out. */
  verified: boolean;
};

export class LockError extends StratusError {
  constructor(message: string) {
    super("INVALID_INPUT", message);
    this.name = "LockError";
  }
}

/** The lock's text for `playbooks` (each playbook file and each script it runs), signed when `signKeyPem` is given. */
export function createLock(lockFile: string, playbooks: Playbook[], signKeyPem?: string): string {
  const dir = dirname(resolve(lockFile));
  const files: Record<string, string> = {};
  for (const pb of playbooks) {
    files[key(dir, pb.source.file)] = pb.source.digest;
    for (const s of pb.source.scripts ?? []) files[key(dir, s.path)] = s.digest;
  }
  const body = { kind: LOCK_KIND, version: 1 as const, files: Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) };
  const signature = signKeyPem ? { algorithm: "ed25519" as const, value: sign(null, Buffer.from(canonicalJson(body)), privateKey(signKeyPem)).toString("base64") } : undefined;
  return `${JSON.stringify({ ...body, ...(signature ? { signature } : {}) }, null, 2)}\n`;
}

/** Reads and (given `verifyKeyPem`) verifies a lock file; throws LockError saying what is wrong. */
export function readLock(lockFile: string, opts: { verifyKeyPem?: string } = {}): PlaybookLock {
  let text: string;
  try {
    text = readFileSync(lockFile, "utf8");
  } catch (e) {
    throw new LockError(`cannot read the playbook lock ${lockFile}: ${(e as Error).message}; write one with: stratus playbook lock --dir ${dirname(lockFile)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new LockError(`the playbook lock ${lockFile} is not JSON: ${(e as Error).message}`);
  }
  const r = lockSchema.safeParse(data);
  if (!r.success) throw new LockError(`the playbook lock ${lockFile} is invalid: ${r.error.issues.map((i) => `${i.path.join(".") || "(lock)"}: ${i.message}`).join("; ")}`);
  const { signature, ...body } = r.data;
  let verified = false;
  if (opts.verifyKeyPem) {
    if (!signature) throw new LockError(`the playbook lock ${lockFile} is not signed, and a verify key was given: sign it with stratus playbook lock --sign-key KEY.pem`);
    const ok = verify(null, Buffer.from(canonicalJson(body)), publicKey(opts.verifyKeyPem), Buffer.from(signature.value, "base64"));
    if (!ok) throw new LockError(`the playbook lock ${lockFile} has a signature that does not verify with the given key: it was changed after signing, or signed with another key`);
    verified = true;
  }
  return { file: lockFile, dir: dirname(resolve(lockFile)), files: body.files, verified };
}

/**
 * Why `lock` refuses the playbook in `file` with these bytes' `digest` and these scripts; [] when
 * it matches. Each problem names the file, the digest found and the one the lock expects.
 */
export function lockIssues(lock: PlaybookLock, file: string, digest: string, scripts: ScriptRef[]): PlaybookIssue[] {
  const issues: PlaybookIssue[] = [];
  const check = (path: string, found: string, what: string) => {
    const k = key(lock.dir, path);
    const want = lock.files[k];
    if (!want) issues.push({ path: "", message: `refused by ${lock.file}: ${what} ${k} is not in the lock (digest ${found}); review it, then run stratus playbook lock`, line: 1 });
    else if (want !== found) issues.push({ path: "", message: `refused by ${lock.file}: digest mismatch for ${what} ${k}: the file has ${found}, the lock expects ${want}; review the change, then run stratus playbook lock`, line: 1 });
  };
  check(file, digest, "playbook");
  for (const s of scripts) check(s.path, s.digest, "action script");
  return issues;
}

const key = (dir: string, path: string) => relative(dir, resolve(path)).split(sep).join("/");

function privateKey(pem: string) {
  const k = createPrivateKey(pem);
  if (k.asymmetricKeyType !== "ed25519") throw new LockError(`the signing key is ${k.asymmetricKeyType}, not ed25519: make one with openssl genpkey -algorithm ed25519 -out lock-key.pem`);
  return k;
}

function publicKey(pem: string) {
  const k = createPublicKey(pem);
  if (k.asymmetricKeyType !== "ed25519") throw new LockError(`the verify key is ${k.asymmetricKeyType}, not ed25519 (openssl pkey -in lock-key.pem -pubout -out lock-key.pub)`);
  return k;
}

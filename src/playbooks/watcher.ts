/**
 * Live reloading of a playbook directory: `watchPlaybooks(dir, onChange)` loads every playbook,
 * then watches the directory (fs.watch, debounced per file, so an editor's save-and-rename is one
 * reload). An edit that validates replaces the playbook at once; an invalid edit is rejected with
 * its error and the last good version of that file stays in force; a deleted file's playbook is
 * dropped. Each change is reported to `onChange`. Watching is about files on disk, so it uses
 * wall-clock timers, not the simulated Clock.
 *
 * With a lock (`playbooks.lock` in the folder, or a file named by `--playbook-lock`), only files
 * whose digests match it load, on start and on every reload; a refused file is reported with the
 * digest found and the one expected. When the lock file itself changes it is read again (and its
 * signature checked again) and every playbook is re-checked. A required lock that is missing or
 * does not verify refuses every playbook.
 */
import { existsSync, readdirSync, watch, type FSWatcher } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { Policy } from "../core/policy.ts";
import { DEFAULT_WATCH_DEBOUNCE_MS } from "./defaults.ts";
import { PlaybookError } from "./errors.ts";
import { isPlaybookFile, loadPlaybookDir, loadPlaybookFile } from "./loader.ts";
import { LOCK_FILE, readLock, type PlaybookLock } from "./lockfile.ts";
import type { Playbook } from "./schema.ts";

export type LibraryEvent =
  | { type: "loaded"; file: string; playbook: Playbook }
  | { type: "reloaded"; file: string; playbook: Playbook; previous: Playbook }
  | { type: "removed"; file: string; playbook: Playbook }
  /** The file is invalid; `kept` is the last good version from it, still in force (if there was one). */
  | { type: "rejected"; file: string; error: PlaybookError; kept?: Playbook }
  /** A lock was read (and verified) or is unusable (everything refused); on start and whenever the lock file changes. */
  | ({ type: "lock" } & LockStatus);

/** Whether a lock is in force: read (and verified), absent (nothing enforced), or unusable (everything refused). */
export type LockStatus = { file: string; status: "enforced" | "absent" | "invalid"; message: string };

export type PlaybookWatcher = {
  /** The playbooks in force, by name. */
  playbooks(): Playbook[];
  get(name: string): Playbook | undefined;
  /** Whether a lock is in force, and which. */
  lock(): LockStatus;
  /** Stops watching; idempotent. */
  close(): void;
};

export type LockOptions = {
  /** The lock file; default DIR/playbooks.lock. */
  file?: string;
  /** An Ed25519 public key (PEM): the lock's signature must verify with it. */
  verifyKeyPem?: string;
  /** Refuse every playbook when the lock file is missing (an explicit --playbook-lock). */
  required?: boolean;
};

export type WatchOptions = { debounceMs?: number; policy?: Policy; lock?: LockOptions };

export function watchPlaybooks(dir: string, onChange: (e: LibraryEvent) => void, opts: WatchOptions = {}): PlaybookWatcher {
  const byFile = new Map<string, Playbook>();
  const timers = new Map<string, NodeJS.Timeout>();
  const lockFile = resolve(opts.lock?.file ?? join(dir, LOCK_FILE));
  let lock: PlaybookLock | undefined;
  let lockProblem: string | undefined;
  let status: LockStatus;
  const readTheLock = () => {
    lock = undefined;
    lockProblem = undefined;
    if (!existsSync(lockFile) && !opts.lock?.required) {
      // The default without a lock: load as before (no event: nothing is enforced); lock() says so.
      status = { file: lockFile, status: "absent", message: `no ${LOCK_FILE} in ${dir}: playbooks are not digest-locked (stratus playbook lock writes one)` };
      return;
    }
    try {
      lock = readLock(lockFile, { verifyKeyPem: opts.lock?.verifyKeyPem });
      status = { file: lockFile, status: "enforced", message: `only playbooks and action scripts whose digests match ${lockFile} load${lock.verified ? " (signature verified)" : ""}` };
    } catch (e) {
      lockProblem = (e as Error).message;
      status = { file: lockFile, status: "invalid", message: `every playbook is refused: ${lockProblem}` };
    }
    onChange({ type: "lock", ...status });
  };
  const loadOpts = () => ({ policy: opts.policy, ...(lock ? { lock } : {}) });
  /** A lock that cannot be used refuses the file outright. */
  const lockRefusal = (file: string) => (lockProblem ? new PlaybookError(file, [{ path: "", message: lockProblem }], "refused playbook") : undefined);

  readTheLock();
  const load = loadPlaybookDir(dir, loadOpts());
  for (const pb of load.playbooks) {
    const refused = lockRefusal(pb.source.file);
    if (refused) {
      onChange({ type: "rejected", file: pb.source.file, error: refused });
      continue;
    }
    byFile.set(pb.source.file, pb);
    onChange({ type: "loaded", file: pb.source.file, playbook: pb });
  }
  for (const error of load.errors) onChange({ type: "rejected", file: error.file, error });

  const reload = (file: string) => {
    const previous = byFile.get(file);
    if (!existsSync(file)) {
      if (previous) {
        byFile.delete(file);
        onChange({ type: "removed", file, playbook: previous });
      }
      return;
    }
    try {
      const refused = lockRefusal(file);
      if (refused) throw refused;
      const pb = loadPlaybookFile(file, loadOpts());
      const clash = [...byFile.values()].find((p) => p.name === pb.name && p.source.file !== file);
      if (clash) throw new PlaybookError(file, [{ path: "name", message: `playbook name "${pb.name}" is already used by ${clash.source.file}`, line: 1 }]);
      if (previous?.source.digest === pb.source.digest) return;
      byFile.set(file, pb);
      onChange(previous ? { type: "reloaded", file, playbook: pb, previous } : { type: "loaded", file, playbook: pb });
    } catch (e) {
      if (!(e instanceof PlaybookError)) throw e;
      onChange({ type: "rejected", file, error: e, ...(previous ? { kept: previous } : {}) });
    }
  };

  const later = (key: string, fn: () => void) => {
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => {
      timers.delete(key);
      fn();
    }, opts.debounceMs ?? DEFAULT_WATCH_DEBOUNCE_MS));
  };
  /** The lock changed: read it again and re-check every file (a re-locked edit now loads). */
  const relock = () => {
    readTheLock();
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter(isPlaybookFile);
    } catch {
      /* the folder went away: nothing to re-check */
    }
    for (const file of new Set([...names.map((n) => join(dir, n)), ...byFile.keys()])) reload(file);
  };
  const onEvent = (name: string | null) => {
    if (!name) return;
    if (resolve(dir, String(name)) === lockFile) return later(lockFile, relock);
    if (!isPlaybookFile(String(name))) return;
    const file = join(dir, String(name));
    later(file, () => reload(file));
  };
  let watcher: FSWatcher | undefined = watch(dir, (_event, name) => onEvent(name));
  // A lock kept outside the playbook folder is watched on its own.
  let lockWatcher: FSWatcher | undefined = dirname(lockFile) !== resolve(dir) && existsSync(dirname(lockFile))
    ? watch(dirname(lockFile), (_event, name) => name && basename(lockFile) === String(name) && later(lockFile, relock))
    : undefined;

  const playbooks = () => [...byFile.values()].sort((a, b) => a.name.localeCompare(b.name));
  return {
    playbooks,
    get: (name) => playbooks().find((p) => p.name === name),
    lock: () => status,
    close() {
      watcher?.close();
      watcher = undefined;
      lockWatcher?.close();
      lockWatcher = undefined;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}

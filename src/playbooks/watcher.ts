/**
 * Live reloading of a playbook directory: `watchPlaybooks(dir, onChange)` loads every playbook,
 * then watches the directory (fs.watch, debounced per file, so an editor's save-and-rename is one
 * reload). An edit that validates replaces the playbook at once; an invalid edit is rejected with
 * its error and the last good version of that file stays in force; a deleted file's playbook is
 * dropped. Each change is reported to `onChange`. Watching is about files on disk, so it uses
 * wall-clock timers, not the simulated Clock.
 */
import { existsSync, watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import type { Policy } from "../core/policy.ts";
import { DEFAULT_WATCH_DEBOUNCE_MS } from "./defaults.ts";
import { PlaybookError } from "./errors.ts";
import { isPlaybookFile, loadPlaybookDir, loadPlaybookFile } from "./loader.ts";
import type { Playbook } from "./schema.ts";

export type LibraryEvent =
  | { type: "loaded"; file: string; playbook: Playbook }
  | { type: "reloaded"; file: string; playbook: Playbook; previous: Playbook }
  | { type: "removed"; file: string; playbook: Playbook }
  /** The file is invalid; `kept` is the last good version from it, still in force (if there was one). */
  | { type: "rejected"; file: string; error: PlaybookError; kept?: Playbook };

export type PlaybookWatcher = {
  /** The playbooks in force, by name. */
  playbooks(): Playbook[];
  get(name: string): Playbook | undefined;
  /** Stops watching; idempotent. */
  close(): void;
};

export type WatchOptions = { debounceMs?: number; policy?: Policy };

export function watchPlaybooks(dir: string, onChange: (e: LibraryEvent) => void, opts: WatchOptions = {}): PlaybookWatcher {
  const byFile = new Map<string, Playbook>();
  const timers = new Map<string, NodeJS.Timeout>();
  const load = loadPlaybookDir(dir, { policy: opts.policy });
  for (const pb of load.playbooks) {
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
      const pb = loadPlaybookFile(file, { policy: opts.policy });
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

  let watcher: FSWatcher | undefined = watch(dir, (_event, name) => {
    if (!name || !isPlaybookFile(String(name))) return;
    const file = join(dir, String(name));
    clearTimeout(timers.get(file));
    timers.set(file, setTimeout(() => {
      timers.delete(file);
      reload(file);
    }, opts.debounceMs ?? DEFAULT_WATCH_DEBOUNCE_MS));
  });

  const playbooks = () => [...byFile.values()].sort((a, b) => a.name.localeCompare(b.name));
  return {
    playbooks,
    get: (name) => playbooks().find((p) => p.name === name),
    close() {
      watcher?.close();
      watcher = undefined;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}

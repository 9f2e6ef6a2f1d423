/**
 * Defaults for playbooks in one place: where the library lives, how long an approval gate waits,
 * how the watcher debounces edits, and the bounds a playbook's numbers must stay within.
 */
import { fileURLToPath } from "node:url";

/** The library shipped with Stratus: `playbooks/` at the repository root. */
export const DEFAULT_PLAYBOOK_DIR = fileURLToPath(new URL("../../playbooks/", import.meta.url));

/** How long an approval gate waits for a person when the playbook names no timeout. */
export const DEFAULT_GATE_TIMEOUT_MS = 15 * 60_000;

/** The longest an approval gate may wait: past that, the incident belongs to a person anyway. */
export { MAX_APPROVAL_TIMEOUT_MS as MAX_GATE_TIMEOUT_MS } from "../core/defaults.ts";

/** How long a gate sleeps between looks at a pending decision (through the Clock). */
export const GATE_POLL_MS = 1_000;

/** A file saved twice within this many ms is reloaded once. */
export const DEFAULT_WATCH_DEBOUNCE_MS = 150;

/** Priority of a playbook that names none; higher runs first. */
export const DEFAULT_PRIORITY = 50;

/** The most steps one playbook may hold, counting those inside decisions and parallel groups. */
export const MAX_PLAYBOOK_STEPS = 40;

/** File extensions the loader reads in a playbook directory. */
export const PLAYBOOK_EXTENSIONS = [".yaml", ".yml"];

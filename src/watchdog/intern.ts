/**
 * Interning of the short strings in cached objects. JSON.parse makes a new string for every value,
 * so 5,000 pods hold 5,000 copies of each timestamp, image, reason, scheduler and field manager:
 * measured on a heap snapshot of the watchdog at that scale, two thirds of the bytes in short
 * strings were duplicates. Values up to MAX_INTERNED_LENGTH characters are replaced by one shared
 * instance. Values that identify one object (uids, resource versions, pod IPs, container IDs, the
 * object's own name, event messages) are left alone: interning them would only fill the table. The
 * table is bounded: when full it starts over (later copies are shared again from then on; nothing
 * is lost but some sharing).
 */
const MAX_INTERNED_LENGTH = 128;
const MAX_TABLE_SIZE = 200_000;

/** Keys whose values are (nearly) unique per object. */
const UNIQUE_VALUED = new Set(["uid", "resourceVersion", "generateName", "podIP", "ip", "containerID", "message", "continue", "selfLink"]);

let table = new Map<string, string>();

function intern(s: string): string {
  if (s.length > MAX_INTERNED_LENGTH) return s;
  const known = table.get(s);
  if (known !== undefined) return known;
  if (table.size >= MAX_TABLE_SIZE) table = new Map();
  table.set(s, s);
  return s;
}

/** Replaces, in place, every short string value (and array element) of a parsed JSON object by its interned copy. */
export function internStrings<T>(value: T): T {
  walk(value, false);
  return value;
}

function walk(value: unknown, isMetadata: boolean): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v === "string") value[i] = intern(v);
      else if (v && typeof v === "object") walk(v, false);
    }
  } else if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    for (const k in o) {
      const v = o[k];
      if (typeof v === "string") {
        if (!UNIQUE_VALUED.has(k) && !(isMetadata && k === "name")) o[k] = intern(v);
      } else if (v && typeof v === "object") walk(v, k === "metadata");
    }
  }
}

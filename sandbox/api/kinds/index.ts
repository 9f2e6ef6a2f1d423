/**
 * Every kind's defaulting, validation and table columns, registered in one list.
 * Add a kind: write its file here and append it to KINDS.
 */
import type { KindBehaviour } from "./kind.ts";

export const KINDS: KindBehaviour[] = [];

export function kindMap(extra: KindBehaviour[] = []): Map<string, KindBehaviour> {
  return new Map([...KINDS, ...extra].map((k) => [`${k.group}/${k.kind}`, k]));
}

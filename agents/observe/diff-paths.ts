/**
 * Which paths differ between two JSON values, as short dotted paths
 * (`spec.template.spec.containers[0].image`), capped so a big change stays one readable line.
 * Used by the change tracker to say what changed without carrying the values around.
 */

export function diffPaths(a: unknown, b: unknown, prefix = "", max = 12): string[] {
  const out: string[] = [];
  walk(a, b, prefix, out, max);
  return out;
}

function walk(a: unknown, b: unknown, path: string, out: string[], max: number): void {
  if (out.length >= max) return;
  if (sameJson(a, b)) return;
  const bothArrays = Array.isArray(a) && Array.isArray(b);
  const bothObjects = isPlain(a) && isPlain(b);
  if (bothArrays) {
    const n = Math.max(a.length, b.length);
    if (a.length !== b.length) {
      out.push(path || "(root)");
      return;
    }
    for (let i = 0; i < n; i++) walk(a[i], b[i], `${path}[${i}]`, out, max);
    return;
  }
  if (bothObjects) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) walk(a[k], b[k], path ? `${path}.${k}` : k, out, max);
    return;
  }
  out.push(path || "(root)");
}

const isPlain = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** Structural equality of JSON values, key order ignored. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameJson(x, b[i]));
  }
  if (isPlain(a) && isPlain(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => sameJson(a[k], b[k]));
  }
  return false;
}

/**
 * The pod-template hash that names a Deployment's ReplicaSets (`web-66b6c48dd5`), and the template
 * equality the deployment controller uses to find "the ReplicaSet for this template". As in
 * kube-controller-manager, the hash is FNV-32a over the template (plus the collision count), printed
 * in decimal and mapped onto the safe alphabet, so it has 8–10 characters from "bcdfghjklmnpqrstvwxz2456789".
 * Equality is semantic, not textual: a template kubectl round-trips through its Go structs (as
 * `rollout undo` does, adding `creationTimestamp: null` and `resources: {}`) still equals the original.
 */

/** The label the deployment controller adds to a ReplicaSet, its selector and its pods. */
export const POD_TEMPLATE_HASH_LABEL = "pod-template-hash";

const SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** The hash of a pod template (its own pod-template-hash label ignored), as ComputeHash does. */
export function computePodTemplateHash(template: unknown, collisionCount?: number): string {
  const bytes = Buffer.from(canonicalJson(normalizedTemplate(template)), "utf8");
  let h = fnv32a(0x811c9dc5, bytes);
  if (collisionCount !== undefined && collisionCount !== null) {
    // The real controller writes the count as a little-endian uint32 into the same hasher.
    const extra = Buffer.alloc(4);
    extra.writeUInt32LE(collisionCount >>> 0);
    h = fnv32a(h, extra);
  }
  return safeEncode(String(h));
}

/** Whether two pod templates are the same once the pod-template-hash label is ignored. */
export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  return canonicalJson(normalizedTemplate(a)) === canonicalJson(normalizedTemplate(b));
}

/** The template without its pod-template-hash label and without zero values (see `normalize`). */
function normalizedTemplate(template: unknown): unknown {
  const t = structuredClone((template ?? {}) as Record<string, any>);
  if (t.metadata?.labels) delete t.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  return normalize(t);
}

/**
 * Drops what a Go client cannot tell from absent — null, "", false, 0, {} and [] — the way
 * apimachinery's semantic equality treats nil and empty alike after a struct round trip.
 */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) {
      const n = normalize(val);
      if (isZero(n)) continue;
      out[k] = n;
    }
    return out;
  }
  return v;
}

function isZero(v: unknown): boolean {
  if (v === null || v === undefined || v === "" || v === false || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === "object" && Object.keys(v as object).length === 0;
}

/** JSON with object keys sorted, so key order never changes the hash. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object") {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

function fnv32a(seed: number, bytes: Uint8Array): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** rand.SafeEncodeString: each byte picks a character, so no vowels make accidental words. */
function safeEncode(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

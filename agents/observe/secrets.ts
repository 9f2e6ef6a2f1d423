/**
 * Turning a Secret into what a reasoner may see: per key a short sha256 and a length, plus the
 * non-sensitive structure of two well-known shapes — a username key, and a JSON user list
 * (`[{user, roles: [{role, db}]}]`, as database operators declare users) reduced to names and role
 * grants. Passwords and other values never leave this module; `secretValue` is the one accessor
 * for a raw value and only the change tracker uses it (to remember a last good value for a revert).
 */
import { createHash } from "node:crypto";
import type { KubeObject } from "../../src/kube/types.ts";
import type { DeclaredUser, SecretInsight, SecretSummary } from "./types.ts";

export const shortHash = (value: string): string => createHash("sha256").update(value).digest("hex").slice(0, 12);

/** The decoded value of `key` (data is base64, stringData plain); undefined when absent. */
export function secretValue(secret: KubeObject, key: string): string | undefined {
  const enc = secret.data?.[key];
  if (typeof enc === "string") return Buffer.from(enc, "base64").toString("utf8");
  const plain = secret.stringData?.[key];
  return typeof plain === "string" ? plain : undefined;
}

export function secretKeys(secret: KubeObject): string[] {
  return [...new Set([...Object.keys(secret.data ?? {}), ...Object.keys(secret.stringData ?? {})])].sort();
}

const USERNAME_KEY = /^(user(name)?|login|db[-_]?user|mongo[-_]?user)$/i;

/** What a value of `key` reveals without revealing itself. */
export function insightOf(key: string, value: string): SecretInsight {
  if (USERNAME_KEY.test(key) && /^[\w.@-]{1,64}$/.test(value.trim())) return { shape: "username", value: value.trim() };
  const users = parseUserList(value);
  if (users) return { shape: "user-list", users };
  return { shape: "opaque" };
}

/** A JSON list of users with role grants, reduced to names and roles; undefined for anything else. */
export function parseUserList(value: string): DeclaredUser[] | undefined {
  const t = value.trim();
  if (!t.startsWith("[") && !t.startsWith("{")) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch {
    return undefined;
  }
  const list = Array.isArray(parsed) ? parsed : Array.isArray((parsed as { users?: unknown })?.users) ? (parsed as { users: unknown[] }).users : undefined;
  if (!list) return undefined;
  const out: DeclaredUser[] = [];
  for (const u of list) {
    if (!u || typeof u !== "object") return undefined;
    const o = u as Record<string, unknown>;
    const name = o.user ?? o.username ?? o.name;
    if (typeof name !== "string") return undefined;
    const roles = Array.isArray(o.roles) ? o.roles : [];
    out.push({
      user: name,
      roles: roles.map((r) => (typeof r === "string" ? { role: r } : { role: String((r as Record<string, unknown>)?.role ?? ""), ...(typeof (r as Record<string, unknown>)?.db === "string" ? { db: (r as Record<string, string>).db } : {}) })),
    });
  }
  return out;
}

export function summarizeSecret(secret: KubeObject): SecretSummary {
  const keys: SecretSummary["keys"] = {};
  const insight: SecretSummary["insight"] = {};
  for (const k of secretKeys(secret)) {
    const v = secretValue(secret, k) ?? "";
    keys[k] = { sha: shortHash(v), bytes: Buffer.byteLength(v) };
    insight[k] = insightOf(k, v);
  }
  return {
    namespace: secret.metadata.namespace ?? "",
    name: secret.metadata.name,
    ...(secret.type ? { type: secret.type } : {}),
    ...(secret.metadata.resourceVersion ? { resourceVersion: secret.metadata.resourceVersion } : {}),
    ...(secret.metadata.creationTimestamp ? { creationTimestamp: secret.metadata.creationTimestamp } : {}),
    ...(secret.metadata.labels ? { labels: secret.metadata.labels } : {}),
    keys,
    insight,
  };
}

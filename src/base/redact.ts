/**
 * The one place that decides what is a credential. Everything that prints, serves, logs or hands
 * to a model something read from a cluster or the ledger masks it here first: `redactText` for
 * free text (logs, events, tool output), `redactValue` for structured values (objects, plans,
 * ledger payloads). Masking is for *display*: what must be restored exactly (snapshots) is sealed
 * by the ledger instead, never masked.
 *
 * The rules lean towards masking: a masked non-secret costs a reader a moment, a printed secret
 * cannot be taken back. References to credentials (`secretName`, `secretKeyRef`, `tokenFile`) are
 * names, not values, and stay readable — diagnosis needs them.
 */
import { createHmac, randomBytes } from "node:crypto";

/** What a masked value reads as. */
export const MASK = "<redacted>";

/**
 * A masked value with a fingerprint: a short keyed hash, so two equal secrets compare equal (and a
 * changed one shows as changed) without revealing either. The key is random per process unless
 * one is given, so a fingerprint cannot be brute-forced offline from a printout alone.
 */
export type Masked = { masked: typeof MASK; fingerprint: string };

const processKey = randomBytes(32);

/** `fp:` + 12 hex characters of HMAC-SHA256(key, value). */
export function fingerprint(value: string | Uint8Array, key: Uint8Array = processKey): string {
  return "fp:" + createHmac("sha256", key).update(value).digest("hex").slice(0, 12);
}

export function maskSecret(value: string | Uint8Array, key?: Uint8Array): Masked {
  return { masked: MASK, fingerprint: fingerprint(value, key) };
}

// ---------------------------------------------------------------------------------------------
// Names

/** Fragments that make a key or variable name a credential (matched on the name lower-cased, separators removed). */
const CREDENTIAL_FRAGMENTS = [
  "password", "passwd", "passphrase", "pwd", "secret", "token", "credential", "apikey", "accesskey",
  "privatekey", "secretkey", "signingkey", "encryptionkey", "masterkey", "clientsecret", "bearer",
  "authorization", "authkey", "authtoken", "basicauth", "cookie", "sessionid", "sessionkey",
  "connectionstring", "dsn", "webhookurl", "pat",
];

/** Names that are exactly a credential although too short or generic to be a fragment. */
const CREDENTIAL_EXACT = new Set(["auth", "secretid", "pass", "pin", "otp", "salt", "jwt", "hmac", "kubeconfig"]);

/**
 * Endings that make a credential-ish name a *reference* to or property of a credential, not the
 * credential itself: `secretName`, `secretKeyRef`, `tokenFile`, `passwordPolicy`, `maxTokens`.
 */
const NOT_A_VALUE_SUFFIXES = [
  "name", "names", "ref", "refs", "reference", "file", "path", "dir", "mount", "mountpath", "type",
  "kind", "policy", "length", "count", "ttl", "seconds", "expiration", "expirationseconds", "expiry",
  "expiresat", "expiresin", "audience", "audiences", "url", "uri", "endpoint", "provider", "source",
  "sources", "version", "enabled", "required", "mode", "status", "store", "selector", "namespace",
  "format", "header", "id", "ids",
];
/** Names that merely count or limit tokens (model usage), and Kubernetes fields about tokens. */
const NOT_A_VALUE_NAMES = new Set([
  "tokens", "maxtokens", "prompttokens", "completiontokens", "totaltokens", "inputtokens",
  "outputtokens", "automountserviceaccounttoken", "serviceaccounttoken", "secrets", "imagepullsecrets",
  "tokenizer", "pathtype", "patch", "patches", "path", "paths", "pattern", "patterns", "compatible",
  "dispatch", "spatial",
]);

const normalize = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, "");

/**
 * Whether a key, field, env-variable or parameter name holds a credential *value*:
 * `DB_PASSWORD`, `api-key`, `aws_secret_access_key`, `Authorization`, `clientSecret` — but not
 * `secretName`, `secretKeyRef`, `tokenFile`, `maxTokens`, `passwordPolicy`.
 */
export function isCredentialName(name: string): boolean {
  let hit = nameCache.get(name);
  if (hit === undefined) {
    hit = decideName(name);
    if (nameCache.size >= 10_000) nameCache.clear(); // bounded: names repeat, values do not reach here
    nameCache.set(name, hit);
  }
  return hit;
}

const nameCache = new Map<string, boolean>();

function decideName(name: string): boolean {
  // "ns/name", "check:entity", prose: addresses and text, not the name of a value.
  if (/[/:\s]/.test(name)) return false;
  const n = normalize(name);
  if (n === "") return false;
  if (CREDENTIAL_EXACT.has(n)) return true;
  if (NOT_A_VALUE_NAMES.has(n)) return false;
  // "pat" (personal access token) only as a whole word: GITHUB_PAT, pat_token — not "path", "patch".
  const words = name.split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/).map((w) => w.toLowerCase()).filter(Boolean);
  // Short fragments only as whole words; "PWD" alone is the working directory, "DB_PWD" a password.
  const fragmentHit = CREDENTIAL_FRAGMENTS.some((f) => (f === "pat" || f === "pwd" || f === "dsn" ? words.includes(f) && (f !== "pwd" || words.length > 1) : n.includes(f)));
  if (!fragmentHit) return false;
  return !NOT_A_VALUE_SUFFIXES.some((s) => n.endsWith(s) && !CREDENTIAL_FRAGMENTS.some((f) => f.length > 3 && n.endsWith(f)));
}

// ---------------------------------------------------------------------------------------------
// Free text

/** Characters of a key found in text (`DB_PASSWORD`, `api-key`, `auth.token`, `--password`). */
const KEY_CHARS = "[A-Za-z0-9_.\\-]";

type Rule = { re: RegExp; replace: (m: string, ...groups: string[]) => string };

const RULES: Rule[] = [
  // PEM private keys, whole block (or to the end of the text when truncated).
  {
    re: /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----[\s\S]*?(?:-----END \1-----|$)/g,
    replace: (_m, label) => `-----BEGIN ${label}-----${MASK}-----END ${label}-----`,
  },
  // JWTs (service-account tokens, OIDC tokens): header.payload.signature, both JSON parts base64url.
  { re: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, replace: () => MASK },
  // Authorization schemes.
  {
    re: /\b(Bearer)(\s+)([A-Za-z0-9\-._~+/]{8,}=*)/gi,
    replace: (m, scheme, sp, tok) => (/\d/.test(tok) || tok.length >= 20 ? `${scheme}${sp}${MASK}` : m),
  },
  {
    re: /\b(Basic)(\s+)([A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])/g,
    replace: (m, scheme, sp, b64) => (decodesToUserPass(b64) ? `${scheme}${sp}${MASK}` : m),
  },
  // user:password@ in URLs (database DSNs, git remotes, proxies): keep the user, mask the password.
  { re: /\b([a-z][a-z0-9+.-]{0,30}:\/\/)([^\s/:@]+):([^\s/@]+)@/gi, replace: (_m, scheme, user) => `${scheme}${user}:${MASK}@` },
  // Well-known token shapes.
  { re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g, replace: () => MASK },
  { re: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{40,}\b/g, replace: () => MASK },
  { re: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g, replace: () => MASK },
  { re: /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}\b/g, replace: () => MASK },
  { re: /\bAIza[0-9A-Za-z_-]{35}\b/g, replace: () => MASK },
  { re: /\bglpat-[A-Za-z0-9_-]{20}\b/g, replace: () => MASK },
  // An env entry printed as JSON: {"name":"DB_PASSWORD","value":"..."}.
  {
    re: /("name"\s*:\s*"([^"\\]*)"\s*,\s*"value"\s*:\s*")((?:[^"\\]|\\.)*)"/g,
    replace: (m, head, name, value) => (isCredentialName(name) && value !== "" && value !== MASK ? `${head}${MASK}"` : m),
  },
  // key = "quoted value" / key: 'quoted value' where the key names a credential.
  {
    re: new RegExp(`(?<![A-Za-z0-9_.\\-])(["']?)(${KEY_CHARS}{1,100})\\1(\\s*[:=]\\s*)(["'])((?:(?!\\4)[^\\\\\\n]|\\\\.)*)\\4`, "g"),
    replace: (m, q, key, sep, vq, value) => (isCredentialName(key) && value !== "" && value !== MASK ? `${q}${key}${q}${sep}${vq}${MASK}${vq}` : m),
  },
];

function decodesToUserPass(b64: string): boolean {
  try {
    const text = Buffer.from(b64, "base64").toString("utf8");
    return /^[\x20-\x7e]+:[\x20-\x7e]*$/.test(text);
  } catch {
    return false;
  }
}

/**
 * Unquoted pairs: `key=value`, `key: value` (a colon needs a blank after it, as in YAML and logs —
 * `secret-exists:shop/db` is an identifier) and `--flag value`. Keys are bounded and must start at
 * a boundary, so a long run of key characters (a hex blob) costs linear time.
 */
const PAIRS = [
  new RegExp(`(?<![A-Za-z0-9_.\\-])(${KEY_CHARS}{1,100})(\\s*=\\s*|\\s*:[ \\t]+)(?!["'\\s])([^\\s,;&"'}\\])]+)`, "g"),
  new RegExp(`(?<![A-Za-z0-9_.\\-])(--?[A-Za-z][A-Za-z0-9_.\\-]{0,99})([ \\t]+)(?![-"'\\s])([^\\s,;&"'}\\])]+)`, "g"),
];

/**
 * Masks the value of each pair whose key names a credential. A pair whose key does not is not
 * consumed past its separator: its value may itself begin a pair (`note: password=hunter2`).
 */
function maskPairs(text: string, re: RegExp): string {
  let out = "";
  let last = 0;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const [, key, sep, value] = m as unknown as [string, string, string, string];
    const at = m.index + key.length + sep.length;
    // "Authorization: Bearer <redacted>": the scheme rules already masked the token.
    if (isCredentialName(key) && !value.startsWith(MASK) && !/^(bearer|basic|digest|token)$/i.test(value)) {
      out += text.slice(last, at) + MASK;
      last = at + value.length;
      re.lastIndex = last;
    } else {
      re.lastIndex = at;
    }
  }
  return out + text.slice(last);
}

/** A cheap first look: text with none of these cannot match any rule (most strings of an object). */
const MAYBE_CREDENTIAL = /[=:]|bearer|basic|PRIVATE KEY|eyJ|A[KSGIRNP][A-Z]{2}[A-Z0-9]{16}|gh[pousr]_|github_pat_|xox|sk-|AIza|glpat-|(?:^|\s)--?[A-Za-z]/i;

/** Masks credentials in free text: tokens, keys, private-key blocks, passwords in URLs and `key=value` pairs. */
export function redactText(text: string): string {
  if (!MAYBE_CREDENTIAL.test(text)) return text;
  let out = text;
  for (const rule of RULES) out = out.replace(rule.re, rule.replace as (m: string, ...a: unknown[]) => string);
  for (const re of PAIRS) out = maskPairs(out, re);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Structured values

/** Annotations that carry a whole object as JSON (so a Secret's data, in the clear). */
const JSON_ANNOTATIONS = new Set(["kubectl.kubernetes.io/last-applied-configuration"]);
/** The fields of a Secret (or of an action's params naming a Secret) whose every leaf is a credential. */
const SECRET_VALUE_FIELDS = new Set(["data", "stringData", "value", "patch"]);
/** Inside those, the fields of a JSON-patch operation that are addresses, not values. */
const PATCH_ADDRESS_FIELDS = new Set(["op", "path", "from"]);

export type RedactOptions = {
  /** Replace masked strings with `<redacted> fp:…` so equal secrets and changes stay visible. */
  fingerprints?: boolean;
  /** Key for those fingerprints (default: random per process). */
  fingerprintKey?: Uint8Array;
};

/**
 * What to put in place of a credential, for `mapCredentials`. `whole` gets a value that is a
 * credential through and through (a Secret's data value, an env value named like a password);
 * `partial` gets a string that holds a credential somewhere inside, with the masked text beside it.
 */
export type CredentialVisitor = {
  whole(value: string): unknown;
  partial(value: string, masked: string): unknown;
};

/**
 * A deep copy of `value` with every credential replaced by what `visitor` says. The one walk that
 * both masking (`redactValue`) and sealing at rest (the ledger) use, so they agree on what a
 * credential is. Non-JSON objects (Dates, Buffers) are kept as they are; cycles read "[Circular]".
 */
export function mapCredentials<T>(value: T, visitor: CredentialVisitor): T {
  return walk(value, visitor, new WeakSet()) as T;
}

/**
 * A deep copy of `value` with credentials masked: every value of a Secret's `data`/`stringData`,
 * values under credential names, env entries (`{name, value}`) whose name is a credential, JSON
 * carried in last-applied annotations, and every string through `redactText`. Keys are kept, so
 * a reader still sees *which* secret changed.
 */
export function redactValue<T>(value: T, options: RedactOptions = {}): T {
  return mapCredentials(value, {
    whole: (v) => (v === "" ? v : options.fingerprints ? `${MASK} ${fingerprint(String(v), options.fingerprintKey)}` : MASK),
    partial: (_v, masked) => masked,
  });
}

const MASKING: CredentialVisitor = { whole: () => MASK, partial: (_v, masked) => masked };

/** Already masked or sealed for display: `<redacted>`, `<redacted> fp:…`, `<sealed>`. */
const ALREADY_HIDDEN = /^<(?:redacted|sealed)>(?: fp:[0-9a-f]+)?$/;

function visitScalar(v: unknown, visitor: CredentialVisitor): unknown {
  if (typeof v === "string") return v === "" || ALREADY_HIDDEN.test(v) ? v : visitor.whole(v);
  // Numbers, booleans, null: no secret in them (a count keyed by "token-service-1" is a count).
  return v;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** A Secret, or an action's params that address one (`set-config`, `patch` of kind Secret). */
const isSecretObject = (o: Record<string, unknown>) =>
  o.kind === "Secret" && (o.apiVersion === undefined || o.apiVersion === "v1");

/** Every leaf of `v` through `visitScalar`, structure and keys kept (a JSON patch keeps its op and path). */
function everyLeaf(v: unknown, visitor: CredentialVisitor, seen: WeakSet<object>): unknown {
  if (Array.isArray(v)) return v.map((x) => everyLeaf(x, visitor, seen));
  if (isPlainObject(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, PATCH_ADDRESS_FIELDS.has(k) ? walk(x, visitor, seen) : everyLeaf(x, visitor, seen)]));
  }
  return visitScalar(v, visitor);
}

function walk(v: unknown, visitor: CredentialVisitor, seen: WeakSet<object>): unknown {
  if (typeof v === "string") {
    const masked = redactText(v);
    return masked === v ? v : visitor.partial(v, masked);
  }
  if (Array.isArray(v)) {
    if (seen.has(v)) return "[Circular]";
    seen.add(v);
    const out = v.map((x) => walk(x, visitor, seen));
    seen.delete(v);
    return out;
  }
  if (!isPlainObject(v)) return v;
  if (seen.has(v)) return "[Circular]";
  seen.add(v);
  const secret = isSecretObject(v);
  const envLike = "value" in v && ((typeof v.name === "string" && isCredentialName(v.name)) || (typeof v.key === "string" && isCredentialName(v.key)));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (secret && SECRET_VALUE_FIELDS.has(k)) {
      out[k] = everyLeaf(x, visitor, seen);
    } else if (envLike && k === "value") {
      out[k] = visitScalar(x, visitor);
    } else if (JSON_ANNOTATIONS.has(k) && typeof x === "string") {
      out[k] = visitJsonString(x, visitor, seen);
    } else if (isCredentialName(k) && !isPlainObject(x) && !Array.isArray(x)) {
      out[k] = visitScalar(x, visitor);
    } else {
      out[k] = walk(x, visitor, seen);
    }
  }
  seen.delete(v);
  return out;
}

/** JSON text (a last-applied annotation): masked inside; handed to `partial` whole when it holds a credential. */
function visitJsonString(text: string, visitor: CredentialVisitor, seen: WeakSet<object>): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return walk(text, visitor, seen);
  }
  const maskedText = JSON.stringify(walk(parsed, MASKING, seen)) + (text.endsWith("\n") ? "\n" : "");
  return maskedText === JSON.stringify(parsed) + (text.endsWith("\n") ? "\n" : "") ? text : visitor.partial(text, maskedText);
}

/**
 * RequestAuthenticator backed by the cluster itself, as kube-rbac-proxy and aggregated API servers
 * do: the caller's bearer token goes to a TokenReview (authentication.k8s.io/v1), the identity it
 * names to a SubjectAccessReview (authorization.k8s.io/v1) on a resource Stratus defines —
 * `incidents` in API group `stratus.dev`, verb `get` to read, `approve` to decide — in the
 * incident's namespace when known. So who may approve is an RBAC binding an operator can audit,
 * not a name typed into a request. The watchdog's ServiceAccount needs `create` on tokenreviews
 * and subjectaccessreviews (ClusterRole system:auth-delegator).
 *
 * Answers are cached a few seconds, positive and negative alike (like the API server's webhook
 * caches), bounded in size; a failure to reach the cluster is never cached and answers 503.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { ClusterClient } from "../kube/cluster-client.ts";
import type { KubeObject } from "../kube/types.ts";
import { credentialOf, type AccessScope, type AccessVerb, type AuthDecision, type Identity, type RequestAuthenticator } from "./http-auth.ts";
import { TtlCache } from "./ttl-cache.ts";
import type { IncomingMessage } from "node:http";

/** The API group and resource Stratus's RBAC rules name (no CRD is needed: RBAC matches names). */
export const STRATUS_API_GROUP = "stratus.dev";
export const STRATUS_INCIDENTS = "incidents";
/** The RBAC verb each access needs on incidents.stratus.dev. */
export const RBAC_VERB: Record<AccessVerb, string> = { read: "get", approve: "approve" };

export const DEFAULT_AUTH_CACHE_TTL_MS = 10_000;
export const DEFAULT_AUTH_CACHE_ENTRIES = 1_024;
/** A longer "token" is refused without asking the cluster (Kubernetes tokens are well under this). */
export const MAX_TOKEN_CHARS = 16 * 1024;

export type KubeAuthenticatorOptions = {
  /** How long an answer (either way) is reused; 0 disables caching. */
  ttlMs?: number;
  maxEntries?: number;
  /** Audiences the token must be valid for (TokenReview spec.audiences); default: the API server's. */
  audiences?: string[];
  now?: () => number;
};

const TokenReviewStatus = z.object({
  authenticated: z.boolean().optional(),
  user: z.object({
    // A review that fails says `user: {}` (as kube-apiserver does): nothing here is required.
    username: z.string().optional(),
    uid: z.string().optional(),
    groups: z.array(z.string()).optional(),
    extra: z.record(z.string(), z.array(z.string())).optional(),
  }).optional(),
  error: z.string().optional(),
});
const SubjectAccessReviewStatus = z.object({ allowed: z.boolean(), denied: z.boolean().optional(), reason: z.string().optional(), evaluationError: z.string().optional() });

type Authn = { ok: true; identity: Identity } | { ok: false; status: 401; message: string };

const HOW_TO_AUTHENTICATE = "send `Authorization: Bearer TOKEN` with a Kubernetes token (e.g. kubectl create token SERVICEACCOUNT -n NAMESPACE), or log in to the web UI";

export class KubeAuthenticator implements RequestAuthenticator {
  private readonly tokens: TtlCache<Authn>;
  private readonly access: TtlCache<{ allowed: boolean; reason?: string }>;
  private readonly ttlMs: number;

  constructor(private readonly client: Pick<ClusterClient, "create" | "server">, private readonly opts: KubeAuthenticatorOptions = {}) {
    this.ttlMs = opts.ttlMs ?? DEFAULT_AUTH_CACHE_TTL_MS;
    const max = opts.maxEntries ?? DEFAULT_AUTH_CACHE_ENTRIES;
    this.tokens = new TtlCache(max, opts.now);
    this.access = new TtlCache(max, opts.now);
  }

  async authorize(req: IncomingMessage, verb: AccessVerb, scope: AccessScope = {}): Promise<AuthDecision> {
    const cred = credentialOf(req);
    if (!cred) return { ok: false, status: 401, message: `no credentials: ${HOW_TO_AUTHENTICATE}` };
    if (cred.token.length > MAX_TOKEN_CHARS) return { ok: false, status: 401, message: `the token is longer than ${MAX_TOKEN_CHARS} characters; ${HOW_TO_AUTHENTICATE}` };
    let who: Authn;
    try {
      who = await this.authenticate(cred.token);
    } catch (e) {
      return { ok: false, status: 503, message: `cannot check the token with the cluster (${this.client.server}): ${(e as Error).message}; the watchdog's ServiceAccount needs create on tokenreviews (bind ClusterRole system:auth-delegator); retry when the API server answers` };
    }
    if (!who.ok) return who;
    let answer: { allowed: boolean; reason?: string };
    try {
      answer = await this.review(who.identity, verb, scope);
    } catch (e) {
      return { ok: false, status: 503, message: `cannot check permissions with the cluster (${this.client.server}): ${(e as Error).message}; the watchdog's ServiceAccount needs create on subjectaccessreviews (bind ClusterRole system:auth-delegator)` };
    }
    if (answer.allowed) return { ok: true, identity: who.identity };
    return { ok: false, status: 403, message: forbidden(who.identity, verb, scope, answer.reason) };
  }

  /** TokenReview: who the token belongs to, or 401. */
  private async authenticate(token: string): Promise<Authn> {
    const key = createHash("sha256").update(token).digest("hex");
    const hit = this.tokens.get(key);
    if (hit) return hit;
    const review = await this.client.create(object("authentication.k8s.io/v1", "TokenReview", { token, ...(this.opts.audiences ? { audiences: this.opts.audiences } : {}) }));
    const status = TokenReviewStatus.parse(review.status ?? {});
    const result: Authn = status.authenticated && status.user?.username
      ? { ok: true, identity: { username: status.user.username, ...(status.user.uid ? { uid: status.user.uid } : {}), groups: status.user.groups ?? [], ...(status.user.extra ? { extra: status.user.extra } : {}) } }
      : { ok: false, status: 401, message: `the token was not accepted by the cluster${status.error ? ` (${status.error})` : ""}: it is invalid or expired; ${HOW_TO_AUTHENTICATE}` };
    this.tokens.set(key, result, this.ttlMs);
    return result;
  }

  /** SubjectAccessReview: may this identity do `verb` on incidents.stratus.dev in scope? */
  private async review(who: Identity, verb: AccessVerb, scope: AccessScope): Promise<{ allowed: boolean; reason?: string }> {
    const attrs = {
      group: STRATUS_API_GROUP,
      resource: STRATUS_INCIDENTS,
      verb: RBAC_VERB[verb],
      ...(scope.namespace ? { namespace: scope.namespace } : {}),
      ...(scope.incident ? { name: scope.incident } : {}),
    };
    const key = JSON.stringify([who.username, who.uid ?? "", [...who.groups].sort(), who.extra ?? {}, attrs]);
    const hit = this.access.get(key);
    if (hit) return hit;
    const review = await this.client.create(object("authorization.k8s.io/v1", "SubjectAccessReview", {
      user: who.username,
      ...(who.uid ? { uid: who.uid } : {}),
      groups: who.groups,
      ...(who.extra ? { extra: who.extra } : {}),
      resourceAttributes: attrs,
    }));
    const status = SubjectAccessReviewStatus.parse(review.status ?? {});
    const result = { allowed: status.allowed && !status.denied, ...(status.reason || status.evaluationError ? { reason: status.reason || status.evaluationError } : {}) };
    this.access.set(key, result, this.ttlMs);
    return result;
  }
}

/** A review object to create: cluster-scoped, nameless (the API server does not store reviews). */
const object = (apiVersion: string, kind: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion, kind, metadata: {} as KubeObject["metadata"], spec });

/** kube-apiserver's wording for a refusal, plus what to bind. */
function forbidden(who: Identity, verb: AccessVerb, scope: AccessScope, reason: string | undefined): string {
  const where = scope.namespace ? `in the namespace "${scope.namespace}"` : "at the cluster scope";
  const what = scope.incident ? `incidents.${STRATUS_API_GROUP} "${scope.incident}" is forbidden: ` : "";
  return `${what}User "${who.username}" cannot ${RBAC_VERB[verb]} resource "${STRATUS_INCIDENTS}" in API group "${STRATUS_API_GROUP}" ${where}${reason ? `: ${reason}` : ""}; `
    + `bind ${scope.namespace ? "a Role or ClusterRole" : "a ClusterRole"} granting verbs ["${RBAC_VERB[verb]}"] on resources ["${STRATUS_INCIDENTS}"] in apiGroups ["${STRATUS_API_GROUP}"] (see docs/SECURITY.md)`;
}

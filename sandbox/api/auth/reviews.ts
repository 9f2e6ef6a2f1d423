/**
 * The review APIs: create-only, never stored. TokenReview (who is this token?),
 * SubjectAccessReview and LocalSubjectAccessReview (may this user do this?), and the self-reviews
 * `kubectl auth can-i` and `kubectl auth whoami` send — SelfSubjectAccessReview,
 * SelfSubjectRulesReview (`can-i --list`) and SelfSubjectReview. A server that delegates its
 * authentication and authorization (the watchdog's HTTP API) calls the first two; its caller needs
 * create on tokenreviews and subjectaccessreviews (system:auth-delegator).
 */
import { invalid } from "../errors.ts";
import { isPlainObject } from "../http-util.ts";
import { invalidValue } from "../kinds/kind.ts";
import type { FieldCause } from "../types.ts";
import type { Attributes } from "./attributes.ts";
import type { Authenticator } from "./authenticator.ts";
import type { Decision, RbacAuthorizer } from "./rbac-authorizer.ts";
import { TokenError } from "./service-account-tokens.ts";
import type { UserInfo } from "./user.ts";

type Body = Record<string, unknown>;
const AUTHN = "authentication.k8s.io";
const AUTHZ = "authorization.k8s.io";
const META = { creationTimestamp: null };

export type ReviewContext = { authenticator: Authenticator; authorizer: RbacAuthorizer; user: UserInfo; namespace?: string };

/** The handlers by `group/plural`; each answers the review object (HTTP 201). */
export const REVIEWS: Partial<Record<string, (body: Body, ctx: ReviewContext) => Body>> = {
  [`${AUTHN}/tokenreviews`]: tokenReview,
  [`${AUTHN}/selfsubjectreviews`]: (_body, { user }) => ({ kind: "SelfSubjectReview", apiVersion: `${AUTHN}/v1`, metadata: META, status: { userInfo: userInfoOf(user) } }),
  [`${AUTHZ}/subjectaccessreviews`]: subjectAccessReview,
  [`${AUTHZ}/localsubjectaccessreviews`]: localSubjectAccessReview,
  [`${AUTHZ}/selfsubjectaccessreviews`]: selfSubjectAccessReview,
  [`${AUTHZ}/selfsubjectrulesreviews`]: selfSubjectRulesReview,
};

const specOf = (body: Body): Body => (isPlainObject(body.spec) ? body.spec : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

function userInfoOf(u: UserInfo): Body {
  return { username: u.username, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra ? { extra: u.extra } : {}) };
}

function tokenReview(body: Body, { authenticator }: ReviewContext): Body {
  const spec = specOf(body);
  if (typeof spec.token !== "string" || !spec.token) throw invalid("TokenReview", AUTHN, "", [{ reason: "FieldValueRequired", field: "spec.token", message: "Required value: token is required for TokenReview in authentication" }]);
  const audiences = strings(spec.audiences);
  const out = { kind: "TokenReview", apiVersion: `${AUTHN}/v1`, metadata: META, spec: { token: spec.token, ...(audiences.length ? { audiences } : {}) } };
  try {
    const id = authenticator.authenticateToken(spec.token, audiences);
    return { ...out, status: { authenticated: true, user: userInfoOf(id.user), audiences: id.audiences } };
  } catch (e) {
    if (!(e instanceof TokenError)) throw e;
    return { ...out, status: { user: {}, error: `[invalid bearer token, ${e.message}]` } };
  }
}

/** spec.resourceAttributes or spec.nonResourceAttributes as authorizer attributes for `user`. */
function attributesOf(spec: Body, user: UserInfo, kind: string, causes: FieldCause[]): Attributes | undefined {
  const ra = spec.resourceAttributes;
  const nra = spec.nonResourceAttributes;
  if (isPlainObject(ra) && isPlainObject(nra)) causes.push(invalidValue("spec.nonResourceAttributes", "", "cannot be specified in combination with resourceAttributes"));
  if (!isPlainObject(ra) && !isPlainObject(nra)) causes.push({ reason: "FieldValueInvalid", field: "spec.resourceAttributes", message: "Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified" });
  if (causes.length) throw invalid(kind, AUTHZ, "", causes);
  const s = (o: Body, k: string) => (typeof o[k] === "string" ? (o[k] as string) : "");
  if (isPlainObject(ra)) {
    return { user, verb: s(ra, "verb"), resourceRequest: true, path: "", apiGroup: s(ra, "group"), apiVersion: s(ra, "version"), resource: s(ra, "resource"), subresource: s(ra, "subresource"), namespace: s(ra, "namespace"), name: s(ra, "name") };
  }
  const n = nra as Body;
  return { user, verb: s(n, "verb"), resourceRequest: false, path: s(n, "path"), apiGroup: "", apiVersion: "", resource: "", subresource: "", namespace: "", name: "" };
}

function accessReview(kind: string, body: Body, spec: Body, decision: Decision, extraMeta: Body = {}): Body {
  return {
    kind,
    apiVersion: `${AUTHZ}/v1`,
    metadata: { ...META, ...extraMeta },
    spec,
    status: { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) },
  };
}

function reviewedUser(spec: Body, kind: string): UserInfo {
  const user = typeof spec.user === "string" ? spec.user : "";
  const groups = strings(spec.groups);
  if (!user && !groups.length) throw invalid(kind, AUTHZ, "", [invalidValue("spec.user", "", "at least one of user or group must be specified")]);
  const extra = isPlainObject(spec.extra) ? (spec.extra as Record<string, string[]>) : undefined;
  return { username: user, groups, ...(typeof spec.uid === "string" && spec.uid ? { uid: spec.uid } : {}), ...(extra ? { extra } : {}) };
}

function subjectAccessReview(body: Body, { authorizer }: ReviewContext): Body {
  const spec = specOf(body);
  const user = reviewedUser(spec, "SubjectAccessReview");
  const a = attributesOf(spec, user, "SubjectAccessReview", [])!;
  return accessReview("SubjectAccessReview", body, spec, authorizer.authorize(a));
}

function localSubjectAccessReview(body: Body, { authorizer, namespace }: ReviewContext): Body {
  const spec = specOf(body);
  const user = reviewedUser(spec, "LocalSubjectAccessReview");
  const causes: FieldCause[] = [];
  if (isPlainObject(spec.nonResourceAttributes)) causes.push(invalidValue("spec.nonResourceAttributes", "", "disallowed on this kind of request"));
  const ra = isPlainObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  if (ra && ra.namespace !== undefined && ra.namespace !== "" && ra.namespace !== namespace) {
    causes.push(invalidValue("spec.resourceAttributes.namespace", ra.namespace, "must match metadata.namespace"));
  }
  const a = attributesOf(spec, user, "LocalSubjectAccessReview", causes)!;
  a.namespace = namespace ?? "";
  return accessReview("LocalSubjectAccessReview", body, spec, authorizer.authorize(a), { namespace });
}

function selfSubjectAccessReview(body: Body, { authorizer, user }: ReviewContext): Body {
  const spec = specOf(body);
  const a = attributesOf(spec, user, "SelfSubjectAccessReview", [])!;
  return accessReview("SelfSubjectAccessReview", body, spec, authorizer.authorize(a));
}

function selfSubjectRulesReview(body: Body, { authorizer, user }: ReviewContext): Body {
  const spec = specOf(body);
  const namespace = typeof spec.namespace === "string" ? spec.namespace : "";
  const set = authorizer.rulesFor(user, namespace);
  const resourceRules = set.rules.filter((r) => !r.nonResourceURLs?.length).map((r) => ({
    verbs: r.verbs, ...(r.apiGroups ? { apiGroups: r.apiGroups } : {}), ...(r.resources ? { resources: r.resources } : {}), ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
  }));
  const nonResourceRules = set.rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
  return {
    kind: "SelfSubjectRulesReview",
    apiVersion: `${AUTHZ}/v1`,
    metadata: META,
    spec: { namespace },
    status: { resourceRules, nonResourceRules, incomplete: set.errors.length > 0, ...(set.errors.length ? { evaluationError: set.errors.join(", ") } : {}) },
  };
}

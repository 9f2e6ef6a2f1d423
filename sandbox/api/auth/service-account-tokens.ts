/**
 * Bound service-account tokens, as the TokenRequest API issues them: a JWT whose subject is
 * `system:serviceaccount:NS:NAME`, whose `kubernetes.io` claim names the ServiceAccount and its
 * uid, with an audience and an expiry. The sandbox signs with HMAC-SHA256 under a key minted at
 * start (a real cluster signs with RS256; clients never check either). A token stops working when
 * it expires (in the cluster's own clock), or when its ServiceAccount is deleted — a new account
 * with the same name has a new uid, so the old token stays dead, as on a real cluster.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { Clock } from "../../clock.ts";
import type { ResourceType } from "../resources.ts";
import type { ObjectStore } from "../store.ts";
import type { KObject } from "../types.ts";
import { ALL_AUTHENTICATED, serviceAccountGroups, serviceAccountUsername, type UserInfo } from "./user.ts";

/** The API server's own audience and issuer (kube-apiserver's default --service-account-issuer). */
export const API_AUDIENCE = "https://kubernetes.default.svc.cluster.local";
export const CREDENTIAL_ID_EXTRA = "authentication.kubernetes.io/credential-id";

/** The TokenRequest limits kube-apiserver enforces. */
export const MIN_EXPIRATION_SECONDS = 600;
export const DEFAULT_EXPIRATION_SECONDS = 3600;

type Claims = {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  "kubernetes.io": { namespace: string; serviceaccount: { name: string; uid: string } };
};

/** A token that authenticated: who it is and which of the wanted audiences it was issued for. */
export type TokenIdentity = { user: UserInfo; audiences: string[] };
/** Why a token did not authenticate (TokenReview's status.error). */
export class TokenError extends Error {}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

export class ServiceAccountTokens {
  private readonly key = randomBytes(32);

  constructor(private readonly store: ObjectStore, private readonly clock: Clock, private readonly serviceAccounts: ResourceType) {}

  /** Signs a token for `sa`; the caller has validated expirationSeconds and audiences. */
  issue(sa: KObject, expirationSeconds: number, audiences: string[]): { token: string; expirationTimestamp: string } {
    const now = Math.floor(this.clock.now() / 1000);
    const ns = sa.metadata.namespace!;
    const claims: Claims = {
      iss: API_AUDIENCE,
      sub: serviceAccountUsername(ns, sa.metadata.name!),
      aud: audiences,
      exp: now + expirationSeconds,
      iat: now,
      nbf: now,
      jti: randomUUID(),
      "kubernetes.io": { namespace: ns, serviceaccount: { name: sa.metadata.name!, uid: sa.metadata.uid! } },
    };
    const unsigned = `${b64({ alg: "HS256", typ: "JWT" })}.${b64(claims)}`;
    const token = `${unsigned}.${this.sign(unsigned)}`;
    return { token, expirationTimestamp: new Date(claims.exp * 1000).toISOString().replace(/\.\d+Z$/, "Z") };
  }

  /** True when `token` looks like one of ours (three base64url parts), so other authenticators can skip it. */
  static looksLikeJwt(token: string): boolean {
    return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
  }

  /** The identity of a valid token for one of `audiences`; throws TokenError saying why not. */
  verify(token: string, audiences: string[]): TokenIdentity {
    const parts = token.split(".");
    if (parts.length !== 3) throw new TokenError("token is not a JWT");
    const want = Buffer.from(this.sign(`${parts[0]}.${parts[1]}`));
    const got = Buffer.from(parts[2]);
    if (want.length !== got.length || !timingSafeEqual(want, got)) throw new TokenError("token signature is invalid");
    let claims: Claims;
    try {
      claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as Claims;
    } catch {
      throw new TokenError("token claims are not JSON");
    }
    const now = Math.floor(this.clock.now() / 1000);
    if (claims.iss !== API_AUDIENCE) throw new TokenError("token issuer is not this cluster");
    if (now >= claims.exp) throw new TokenError("service account token has expired");
    if (now < claims.nbf) throw new TokenError("service account token is not valid yet");
    const matched = claims.aud.filter((a) => audiences.includes(a));
    if (!matched.length) throw new TokenError(`token audiences ${JSON.stringify(claims.aud)} is invalid for the target audiences ${JSON.stringify(audiences)}`);
    const ref = claims["kubernetes.io"];
    const sa = this.store.get(this.serviceAccounts, ref.namespace, ref.serviceaccount.name);
    if (!sa) throw new TokenError(`serviceaccounts "${ref.serviceaccount.name}" not found`);
    if (sa.metadata.uid !== ref.serviceaccount.uid) throw new TokenError(`service account UID (${sa.metadata.uid}) does not match claim (${ref.serviceaccount.uid})`);
    return {
      user: {
        username: claims.sub,
        uid: ref.serviceaccount.uid,
        groups: [...serviceAccountGroups(ref.namespace), ALL_AUTHENTICATED],
        extra: { [CREDENTIAL_ID_EXTRA]: [`JTI=${claims.jti}`] },
      },
      audiences: matched,
    };
  }

  private sign(data: string): string {
    return createHmac("sha256", this.key).update(data).digest("base64url");
  }
}

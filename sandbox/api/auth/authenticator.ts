/**
 * Authentication, as kube-apiserver's bearer-token chain does it: a request with
 * `Authorization: Bearer TOKEN` is the admin minted at start, a static token (kube-apiserver's
 * --token-auth-file), or a service account's bound token; a token none of them accepts is a 401
 * `Unauthorized`, never a fallback to anonymous. A request with no token is system:anonymous.
 * Every authenticated user is also in system:authenticated.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { ApiError } from "../errors.ts";
import { API_AUDIENCE, ServiceAccountTokens, TokenError, type TokenIdentity } from "./service-account-tokens.ts";
import { ALL_AUTHENTICATED, anonymousUser, SYSTEM_MASTERS, type UserInfo } from "./user.ts";

/** One line of a token file: the token, the user it names, and that user's groups. */
export type StaticToken = { token: string; user: string; uid?: string; groups?: string[] };

export const ADMIN_USER = "sandbox-admin";

/** The 401 kube-apiserver answers for a credential it cannot verify. */
export const unauthorized = () => new ApiError(401, "Unauthorized", "Unauthorized");

export class Authenticator {
  /** The admin's bearer token (system:masters), written into the sandbox's kubeconfig. */
  readonly adminToken = randomBytes(24).toString("base64url");
  private readonly statics = new Map<string, UserInfo>();

  constructor(private readonly serviceAccounts: ServiceAccountTokens, tokens: StaticToken[] = []) {
    this.statics.set(this.adminToken, { username: ADMIN_USER, uid: ADMIN_USER, groups: [SYSTEM_MASTERS, ALL_AUTHENTICATED] });
    for (const t of tokens) {
      if (!t.token || !t.user) throw new Error("a static token needs a token and a user name");
      const groups = [...(t.groups ?? [])];
      if (!groups.includes(ALL_AUTHENTICATED)) groups.push(ALL_AUTHENTICATED);
      this.statics.set(t.token, { username: t.user, uid: t.uid ?? t.user, groups });
    }
  }

  /** Who `token` is, for one of `audiences` (the API server's own when empty); throws TokenError. */
  authenticateToken(token: string, audiences: string[] = []): TokenIdentity {
    const wanted = audiences.length ? audiences : [API_AUDIENCE];
    const user = this.statics.get(token);
    if (user) {
      // Static tokens are not audience-bound: they are good only for the API server itself.
      if (!wanted.includes(API_AUDIENCE)) throw new TokenError("token audiences are not valid for the target audiences");
      return { user: structuredClone(user), audiences: [API_AUDIENCE] };
    }
    if (ServiceAccountTokens.looksLikeJwt(token)) return this.serviceAccounts.verify(token, wanted);
    throw new TokenError("token lookup failed");
  }

  /** The request's user: anonymous without a bearer token; a 401 ApiError for a token that fails. */
  authenticateRequest(req: IncomingMessage): UserInfo {
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) return anonymousUser();
    try {
      return this.authenticateToken(token).user;
    } catch (e) {
      if (e instanceof TokenError) throw unauthorized();
      throw e;
    }
  }
}

/** The token of an `Authorization: Bearer TOKEN` header; undefined for none, an empty one, or another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^\s*bearer\s+(.*)$/i.exec(header ?? "");
  const token = m?.[1]?.trim();
  return token ? token : undefined;
}

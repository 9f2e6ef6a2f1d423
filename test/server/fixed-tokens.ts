/**
 * A RequestAuthenticator over a fixed table of tokens, for tests of route mechanics (the contract
 * in src/server/http-auth.ts, nothing more): a token names an identity and what it may do,
 * optionally only in some namespaces. The real one (KubeAuthenticator) is tested against the
 * sandbox's TokenReview and SubjectAccessReview in kube-auth.test.ts.
 */
import { credentialOf, type AccessScope, type AccessVerb, type AuthDecision, type RequestAuthenticator } from "../../src/server/http-auth.ts";

export type FixedToken = { username: string; groups?: string[]; may: AccessVerb[]; namespaces?: string[] };

export function fixedTokens(table: Record<string, FixedToken>, asked: Array<{ verb: AccessVerb; scope: AccessScope }> = []): RequestAuthenticator {
  return {
    async authorize(req, verb, scope = {}): Promise<AuthDecision> {
      asked.push({ verb, scope });
      const cred = credentialOf(req);
      const t = cred && Object.hasOwn(table, cred.token) ? table[cred.token] : undefined;
      if (!cred) return { ok: false, status: 401, message: "no credentials" };
      if (!t) return { ok: false, status: 401, message: "the token was not accepted" };
      const inScope = !t.namespaces || (scope.namespace !== undefined && t.namespaces.includes(scope.namespace));
      if (!t.may.includes(verb) || !inScope) return { ok: false, status: 403, message: `User "${t.username}" cannot ${verb}` };
      return { ok: true, identity: { username: t.username, groups: t.groups ?? [] } };
    },
  };
}

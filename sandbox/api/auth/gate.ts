/**
 * The API server's authentication and authorization, in kube-apiserver's filter order:
 * authenticate the bearer token (401 when it fails, anonymous when there is none), apply
 * impersonation headers (each authorized), then authorize the request's attributes with RBAC
 * (403 with the real wording). Writes to Roles, ClusterRoles and their bindings are then checked
 * for privilege escalation (escalation.ts) before admission. It also serves what belongs to auth:
 * the TokenRequest subresource and the review APIs. The sandbox's own extra routes (/metrics, /sandbox/v1/...)
 * run before this gate, as they are not part of the Kubernetes API.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Clock } from "../../clock.ts";
import { ApiError } from "../errors.ts";
import { readObjectBody } from "../handlers.ts";
import { sendJson } from "../http-util.ts";
import type { ResourceRegistry } from "../resources.ts";
import type { ResourceRoute } from "../routes.ts";
import type { ObjectStore } from "../store.ts";
import type { KObject } from "../types.ts";
import { requestAttributes } from "./attributes.ts";
import { Authenticator, type StaticToken } from "./authenticator.ts";
import { EscalationGuard } from "./escalation.ts";
import { forbidden } from "./forbidden.ts";
import { impersonate } from "./impersonation.ts";
import { RbacAuthorizer } from "./rbac-authorizer.ts";
import { REVIEWS } from "./reviews.ts";
import { ServiceAccountTokens } from "./service-account-tokens.ts";
import { createToken } from "./token-request.ts";
import type { UserInfo } from "./user.ts";

export type AuthOptions = {
  /** Extra bearer tokens and the users they stand for (kube-apiserver's --token-auth-file). */
  tokens?: StaticToken[];
};

export class ApiAuth {
  readonly tokens: ServiceAccountTokens;
  readonly authenticator: Authenticator;
  readonly authorizer: RbacAuthorizer;
  private readonly escalation: EscalationGuard;

  constructor(private readonly store: ObjectStore, registry: ResourceRegistry, clock: Clock, opts: AuthOptions = {}) {
    this.tokens = new ServiceAccountTokens(store, clock, registry.find("", "v1", "serviceaccounts")!);
    this.authenticator = new Authenticator(this.tokens, opts.tokens);
    this.authorizer = new RbacAuthorizer(store, registry);
    this.escalation = new EscalationGuard(this.authorizer);
  }

  get adminToken(): string {
    return this.authenticator.adminToken;
  }

  /** The user the request runs as; throws the 401, 403 or 500 a real server would answer. */
  admit(req: IncomingMessage, method: string, path: string, segments: string[], query: URLSearchParams): UserInfo {
    const authenticated = this.authenticator.authenticateRequest(req);
    const user = impersonate(req, authenticated, (a) => this.authorizer.authorize(a));
    const attrs = requestAttributes(user, method, path, segments, query);
    const d = this.authorizer.authorize(attrs);
    if (!d.allowed) throw forbidden(attrs, d.reason);
    return user;
  }

  /**
   * Refuses (403) a write of `obj` over `old` (undefined for a create) that would grant RBAC
   * permissions `user` does not hold; call it with the object about to be stored, dry run or not.
   */
  confirmWrite(user: UserInfo, route: ResourceRoute, obj: KObject, old: KObject | undefined): void {
    this.escalation.confirm(user, route, obj, old);
  }

  /** Serves TokenRequest and the review APIs; false when `route` is neither. */
  async serve(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, method: string, user: UserInfo): Promise<boolean> {
    const { rt } = route;
    const isToken = rt.group === "" && rt.plural === "serviceaccounts" && route.subresource === "token";
    const review = REVIEWS[`${rt.group}/${rt.plural}`];
    if (!isToken && !review) return false;
    if (method !== "POST" || (review && route.name)) throw new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    if (isToken) {
      sendJson(res, 201, await createToken(req, route, this.store, this.tokens));
      return true;
    }
    const body = await readObjectBody(req);
    sendJson(res, 201, review!(body, { authenticator: this.authenticator, authorizer: this.authorizer, user, namespace: route.namespace }));
    return true;
  }
}

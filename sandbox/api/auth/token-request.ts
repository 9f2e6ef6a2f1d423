/**
 * The TokenRequest subresource, `POST /api/v1/namespaces/NS/serviceaccounts/NAME/token`, which
 * `kubectl create token NAME -n NS [--duration 1h] [--audience A]` calls: it validates
 * expirationSeconds (at least 10 minutes, default one hour) and answers an
 * authentication.k8s.io/v1 TokenRequest whose status carries a signed, expiring token.
 */
import type { IncomingMessage } from "node:http";
import { invalid } from "../errors.ts";
import { readObjectBody } from "../handlers.ts";
import { isPlainObject } from "../http-util.ts";
import { invalidValue } from "../kinds/kind.ts";
import type { ResourceRoute } from "../routes.ts";
import type { ObjectStore } from "../store.ts";
import type { FieldCause } from "../types.ts";
import { API_AUDIENCE, DEFAULT_EXPIRATION_SECONDS, MIN_EXPIRATION_SECONDS, type ServiceAccountTokens } from "./service-account-tokens.ts";

const MAX_EXPIRATION_SECONDS = 2 ** 32;

export async function createToken(req: IncomingMessage, route: ResourceRoute, store: ObjectStore, tokens: ServiceAccountTokens): Promise<Record<string, unknown>> {
  const body = await readObjectBody(req);
  const sa = store.require(route.rt, route.namespace, route.name!);
  const spec = isPlainObject(body.spec) ? body.spec : {};
  const causes: FieldCause[] = [];
  const exp = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  if (!Number.isInteger(exp)) causes.push(invalidValue("spec.expirationSeconds", exp, "must be an integer number of seconds"));
  else if ((exp as number) < MIN_EXPIRATION_SECONDS) causes.push(invalidValue("spec.expirationSeconds", exp, "may not specify a duration less than 10 minutes"));
  else if ((exp as number) > MAX_EXPIRATION_SECONDS) causes.push(invalidValue("spec.expirationSeconds", exp, "may not specify a duration larger than 2^32 seconds"));
  const audiences = spec.audiences ?? [];
  if (!Array.isArray(audiences) || !audiences.every((a) => typeof a === "string" && a)) causes.push(invalidValue("spec.audiences", audiences, "must be a list of non-empty strings"));
  if (causes.length) throw invalid("TokenRequest", "authentication.k8s.io", route.name!, causes);
  const aud = (audiences as string[]).length ? (audiences as string[]) : [API_AUDIENCE];
  const issued = tokens.issue(sa, exp as number, aud);
  return {
    kind: "TokenRequest",
    apiVersion: "authentication.k8s.io/v1",
    metadata: { name: route.name, namespace: route.namespace, creationTimestamp: null },
    spec: { audiences: aud, expirationSeconds: exp, boundObjectRef: spec.boundObjectRef ?? null },
    status: issued,
  };
}

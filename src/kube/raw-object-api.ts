/**
 * @kubernetes/client-node's generic object API, returning objects exactly as the server sent them.
 * The stock KubernetesObjectApi deserializes into typed classes (Dates, dropped unknown fields);
 * snapshots must restore objects byte-for-byte in spirit, so this subclass keeps the raw JSON and
 * adds the verbs the stock one lacks (JSON patch, pod logs). Transport, auth and discovery stay
 * client-node's own.
 */
import { shareConnections } from "./shared-connections.ts";
import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { ApiException } from "@kubernetes/client-node";

type RequestContext = Parameters<KubernetesObjectApi["requestPromise"]>[0];
type ResponseContext = Parameters<KubernetesObjectApi["processResponse"]>[0];

export class RawObjectApi extends KubernetesObjectApi {
  static forConfig(kc: KubeConfig): RawObjectApi {
    const api = shareConnections(kc).makeApiClient(RawObjectApi);
    api.setDefaultNamespace(kc);
    return api;
  }

  protected override async processResponse<T extends KubernetesObject>(response: ResponseContext): Promise<T> {
    const text = await response.body.text();
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) {
      return (text ? JSON.parse(text) : {}) as T;
    }
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* keep the text */
    }
    throw new ApiException(response.httpStatusCode, "Unsuccessful HTTP Request", body, response.headers);
  }

  /** RFC 6902 JSON patch on the object `spec` names. */
  async jsonPatch(spec: KubernetesObject, ops: unknown[], dryRun?: "All", fieldManager?: string): Promise<KubernetesObject> {
    const path = await this.specUriPath(spec, "patch");
    const ctx = this.context(path, "PATCH");
    ctx.setHeaderParam("Content-Type", "application/json-patch+json");
    if (dryRun) ctx.setQueryParam("dryRun", dryRun);
    if (fieldManager) ctx.setQueryParam("fieldManager", fieldManager);
    ctx.setBody(JSON.stringify(ops));
    return this.requestPromise(ctx);
  }

  /** Raw GET of a path under the server (pod logs, discovery); returns the body text. */
  async getText(path: string, query: Record<string, string | undefined> = {}): Promise<string> {
    const ctx = this.context(path, "GET");
    for (const [k, v] of Object.entries(query)) if (v !== undefined) ctx.setQueryParam(k, v);
    const cfg = this.configuration;
    for (const m of [cfg.authMethods.BearerToken, cfg.authMethods.default]) await m?.applySecurityAuthentication(ctx);
    const res = await cfg.httpApi.send(ctx).toPromise();
    const text = await res.body.text();
    if (res.httpStatusCode >= 200 && res.httpStatusCode <= 299) return text;
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* keep the text */
    }
    throw new ApiException(res.httpStatusCode, "Unsuccessful HTTP Request", body, res.headers);
  }

  private context(path: string, method: string): RequestContext {
    return this.configuration.baseServer.makeRequestContext(path, method as never);
  }
}

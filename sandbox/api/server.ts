/**
 * The simulated cluster's HTTP front door: the Kubernetes REST API on 127.0.0.1, which kubectl and
 * @kubernetes/client-node use unchanged. It routes discovery, resource verbs, subresources and
 * watches, answers every failure with a Status, and never lets one bad request take it down.
 * It publishes OpenAPI documents built from its own registry, validates fields server-side
 * (`fieldValidation`), records managedFields and serves server-side apply. Extra routes (the
 * cluster's /metrics, control endpoints) are plugged in by the sandbox.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApiAuth } from "./auth/gate.ts";
import type { UserInfo } from "./auth/user.ts";
import { apiGroup, apiGroupList, apiResourceList, apiVersions, SERVER_VERSION } from "./discovery.ts";
import { ApiError, badRequest, invalid } from "./errors.ts";
import { checkBodyFields, checkPatchedFields, fieldValidationOf, unknownFields } from "./field-validation.ts";
import {
  APPLY_PATCH, applyPatch, checkWriteShape, patchTypeOf, deleteOptions, isDryRun, list, listBody, listFilter, readObjectBody, readPatch, scaleOf, writeScale,
} from "./handlers.ts";
import { isPlainObject, parseBody, readBody, sendError, sendJson, sendText } from "./http-util.ts";
import type { KindBehaviour } from "./kinds/kind.ts";
import { goQueryBool, parseListOptions } from "./list-options.ts";
import { managerOf, recordUpdate } from "./managed-fields.ts";
import { OpenApiDocuments } from "./openapi/documents.ts";
import { serveOpenApi } from "./openapi/serve.ts";
import { checkPathName, parseTarget } from "./request-target.ts";
import { apiVersionOf, type ResourceRegistry, type ResourceType } from "./resources.ts";
import { resolveResourcePath, type ResourceRoute } from "./routes.ts";
import { serverSideApply } from "./server-side-apply.ts";
import { isoSeconds, type ObjectStore } from "./store.ts";
import { includeObjectOf, toTable, wantsTable, type IncludeObject } from "./table.ts";
import type { KObject } from "./types.ts";
import { listenHttpAndHttps } from "./tls/dual-listener.ts";
import { selfSignedCert } from "./tls/self-signed.ts";
import { serveWatch } from "./watch.ts";

const OPENAPI = new WeakMap<ApiServerOptions, OpenApiDocuments>();

/** The server's OpenAPI documents, built on first request from its registry. */
function openapi(o: ApiServerOptions): OpenApiDocuments {
  let docs = OPENAPI.get(o);
  if (!docs) OPENAPI.set(o, (docs = new OpenApiDocuments(o.registry)));
  return docs;
}

/** Reads a container's log; throws ApiError (400/404) when there is none to read. */
export interface PodLogSource {
  read(namespace: string, pod: string, container: string | undefined, opts: { previous: boolean; tailLines?: number; timestamps: boolean; sinceSeconds?: number }): string;
}

/** An extra route: returns true when it handled the request. */
export type ExtraRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

/** Decides, per write, whether to fail it on purpose (the API-fault switch for resilience tests). */
export type WriteInterceptor = (method: string, route: ResourceRoute) => ApiError | "hang" | undefined;

export type ApiServerOptions = {
  store: ObjectStore;
  registry: ResourceRegistry;
  kinds: Map<string, KindBehaviour>;
  logs?: PodLogSource;
  routes?: ExtraRoute[];
  interceptWrite?: WriteInterceptor;
  /** Authentication and RBAC; without it every request is allowed (a bare server for unit tests). */
  auth?: ApiAuth;
  /** The HTTPS side's certificate and key (PEM); a self-signed one is minted when absent. */
  tls?: TlsOptions;
  port?: number;
  host?: string;
};

/** A serving certificate and key (PEM), and the CA that signed it when it is not self-signed. */
export type TlsOptions = { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer };

export type RunningApiServer = {
  /** Plain HTTP (curl, /metrics scrapes, control endpoints); credentials work here too, but kubectl will not send them. */
  url: string;
  /** The same port over HTTPS: what kubeconfigs name. */
  secureUrl: string;
  /** The PEM certificate clients verify the HTTPS side with. */
  caPem: string;
  port: number;
  close(): Promise<void>;
};

export async function startApiServer(opts: ApiServerOptions): Promise<RunningApiServer> {
  const watches = new Set<() => void>();
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res, opts, watches).catch((err) => {
      try {
        sendError(res, err);
      } catch {
        res.destroy();
      }
    });
  };
  const host = opts.host ?? "127.0.0.1";
  const tls = opts.tls ?? selfSignedCert();
  const listening = await listenHttpAndHttps(listener, { host, port: opts.port ?? 0, cert: tls.cert, key: tls.key });
  const port = listening.port;
  return {
    url: `http://${host}:${port}`,
    secureUrl: `https://${host}:${port}`,
    caPem: String(opts.tls?.ca ?? tls.cert),
    port,
    close: async () => {
      for (const close of watches) close();
      await listening.close();
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, o: ApiServerOptions, watches: Set<() => void>): Promise<void> {
  const { url, segments } = parseTarget(req.url ?? "/");
  for (const route of o.routes ?? []) if (await route(req, res, url)) return;
  const method = req.method ?? "GET";
  const user = o.auth?.admit(req, method, url.pathname, segments, url.searchParams);
  const path = url.pathname.replace(/\/+$/, "") || "/";

  if (method === "GET") {
    if (path === "/version") return sendJson(res, 200, SERVER_VERSION);
    if (path === "/healthz" || path === "/readyz" || path === "/livez") return sendText(res, 200, "ok");
    if (path === "/api") return sendJson(res, 200, apiVersions(req.headers.host ?? "127.0.0.1"));
    if (path === "/apis") return sendJson(res, 200, apiGroupList(o.registry));
    if (segments[0] === "api" && segments.length === 2) {
      if (segments[1] !== "v1") throw new ApiError(404, "NotFound", `the server could not find the requested resource: API version ${segments[1]} is not served`);
      return sendJson(res, 200, apiResourceList(o.registry, "", "v1"));
    }
    if (segments[0] === "apis" && segments.length === 2) {
      if (!o.registry.groups().includes(segments[1])) throw new ApiError(404, "NotFound", `the server could not find the requested resource: API group ${segments[1]} is not served`);
      return sendJson(res, 200, apiGroup(o.registry, segments[1]));
    }
    if (segments[0] === "apis" && segments.length === 3) {
      if (!o.registry.versionsOf(segments[1]).includes(segments[2])) throw new ApiError(404, "NotFound", `the server could not find the requested resource: ${segments[1]}/${segments[2]} is not served`);
      return sendJson(res, 200, apiResourceList(o.registry, segments[1], segments[2]));
    }
  }
  if (segments[0] === "openapi") return serveOpenApi(req, res, segments, openapi(o));

  const route = resolveResourcePath(o.registry, segments);
  if (!route) throw new ApiError(404, "NotFound", `the server could not find the requested resource: ${url.pathname}`);
  checkPathName(route.namespace);
  checkPathName(route.name);
  if (o.auth && user && (await o.auth.serve(req, res, route, method, user))) return;
  if (route.rt.virtual) throw new ApiError(404, "NotFound", `the server could not find the requested resource: ${url.pathname}`);
  if (method !== "GET" && method !== "HEAD") {
    const injected = o.interceptWrite?.(method, route);
    if (injected === "hang") return; // the client's timeout is what this simulates
    if (injected) throw injected;
  }
  await dispatch(req, res, o, route, url.searchParams, method, watches, user);
}

async function dispatch(req: IncomingMessage, res: ServerResponse, o: ApiServerOptions, route: ResourceRoute, q: URLSearchParams, method: string, watches: Set<() => void>, user?: UserInfo): Promise<void> {
  const { store } = o;
  const { rt } = route;
  // RBAC's escalation check, on the object about to be stored (before admission, dry run or not).
  const confirm = (obj: KObject, old: KObject | undefined) => {
    if (o.auth && user) o.auth.confirmWrite(user, route, obj, old);
    return obj;
  };
  const kind = o.kinds.get(`${rt.group}/${rt.kind}`);
  const now = store.clock.now();
  const table = wantsTable(req.headers.accept);

  if (route.subresource === "log") {
    if (method !== "GET") throw new ApiError(405, "MethodNotAllowed", "pod logs can only be read (GET)");
    store.require(rt, route.namespace, route.name!);
    if (!o.logs) throw new ApiError(404, "NotFound", "this cluster keeps no container logs");
    const tail = q.get("tailLines");
    const since = q.get("sinceSeconds");
    const text = o.logs.read(route.namespace!, route.name!, q.get("container") ?? undefined, {
      previous: q.get("previous") === "true",
      tailLines: tail !== null ? nonNegativeInt("tailLines", tail) : undefined,
      timestamps: q.get("timestamps") === "true",
      sinceSeconds: since !== null ? nonNegativeInt("sinceSeconds", since) : undefined,
    });
    return sendText(res, 200, text);
  }

  if (route.subresource === "scale") {
    if (method === "GET") return sendJson(res, 200, scaleOf(rt, store.require(rt, route.namespace, route.name!)));
    const dryRun = isDryRun(q);
    let scale: unknown;
    if (method === "PUT") scale = await readObjectBody(req);
    else if (method === "PATCH") {
      const patch = await readPatch(req);
      scale = applyPatch(scaleOf(rt, store.require(rt, route.namespace, route.name!)), req.headers["content-type"], patch);
    } else throw new ApiError(405, "MethodNotAllowed", `${method} is not allowed on the scale subresource`);
    return sendJson(res, 200, scaleOf(rt, writeScale(store, route, scale, dryRun, attribute(req, q, rt, now, "scale"))));
  }

  if (route.subresource === "status" || route.subresource === "finalize") {
    const current = store.require(rt, route.namespace, route.name!);
    if (method === "GET") return sendJson(res, 200, current);
    const dryRun = isDryRun(q);
    let next: KObject;
    if (method === "PUT") next = checkWriteShape(route, await readObjectBody(req), "update");
    else if (method === "PATCH") {
      const patched = applyPatch(current, req.headers["content-type"], await readPatch(req));
      if (!isPlainObject(patched)) throw badRequest("the patch must leave an object");
      next = checkWriteShape(route, patched, "update");
    }
    else throw new ApiError(405, "MethodNotAllowed", `${method} is not allowed on the status subresource`);
    const status = route.subresource === "status";
    return sendJson(res, 200, store.update(rt, next, { subresource: status ? "status" : undefined, dryRun, finalize: status ? attribute(req, q, rt, now, "status") : undefined }));
  }

  if (!route.name) {
    switch (method) {
      case "GET": {
        const opts = parseListOptions(q);
        if (opts.watch) {
          return serveWatch(req, res, store, {
            rt,
            filter: listFilter(route, q),
            resourceVersion: opts.resourceVersion,
            timeoutSeconds: opts.timeoutSeconds,
            bookmarks: opts.allowWatchBookmarks,
            transform: table ? tableEvents(kind, store, includeObjectOf(q)) : undefined,
          }, (close) => { watches.add(close); res.on("close", () => watches.delete(close)); });
        }
        const page = list(store, route, q);
        if (table) return sendJson(res, 200, toTable(page.items, kind, now, page.rv, page.continueToken ? { continue: page.continueToken } : {}, includeObjectOf(q)));
        return sendJson(res, 200, listBody(rt, page.items, page.rv, page.continueToken, page.remaining));
      }
      case "POST": {
        const body = await readObjectBody(req);
        checkBodyFields(res, rt, body, fieldValidationOf(q));
        const obj = confirm(checkWriteShape(route, body, "create"), undefined);
        return sendJson(res, 201, store.create(rt, obj, { dryRun: isDryRun(q), finalize: attribute(req, q, rt, now) }));
      }
      case "DELETE": {
        const opts = deleteOptions(q, await optionalBody(req));
        const page = list(store, route, q);
        const deleted = page.items.map((item) => store.delete(rt, item.metadata.namespace, item.metadata.name!, opts));
        return sendJson(res, 200, listBody(rt, deleted, String(store.currentRv())));
      }
      default:
        throw new ApiError(405, "MethodNotAllowed", `${method} is not allowed on a collection of ${rt.plural}`);
    }
  }

  switch (method) {
    case "GET": {
      const obj = store.require(rt, route.namespace, route.name);
      if (table) return sendJson(res, 200, toTable([obj], kind, now, obj.metadata.resourceVersion ?? "", {}, includeObjectOf(q)));
      return sendJson(res, 200, obj);
    }
    case "PUT": {
      const body = await readObjectBody(req);
      checkBodyFields(res, rt, body, fieldValidationOf(q));
      const obj = confirm(checkWriteShape(route, body, "update"), store.get(rt, route.namespace, route.name));
      return sendJson(res, 200, store.update(rt, obj, { dryRun: isDryRun(q), finalize: attribute(req, q, rt, now) }));
    }
    case "PATCH": {
      const dryRun = isDryRun(q);
      const validation = fieldValidationOf(q);
      const patch = await readPatch(req);
      if (patchTypeOf(req) === APPLY_PATCH) {
        const existing = store.get(rt, route.namespace, route.name);
        const applied = serverSideApply(route, existing, patch, { manager: q.get("fieldManager"), force: goQueryBool(q.get("force")), now: isoSeconds(now) });
        const opts = { dryRun, finalize: applied.finalize };
        if (!existing) return sendJson(res, 201, store.create(rt, confirm(checkWriteShape(route, applied.next, "create"), undefined), opts));
        return sendJson(res, 200, store.update(rt, confirm(checkWriteShape(route, applied.next, "update"), existing), opts));
      }
      if (q.has("force")) throw invalid("PatchOptions", "meta.k8s.io", "", [{ reason: "FieldValueForbidden", field: "force", message: "Forbidden: may not be specified for non-apply patch" }]);
      const current = store.require(rt, route.namespace, route.name);
      const next = applyPatch(current, req.headers["content-type"], patch);
      if (!isPlainObject(next)) throw badRequest("the patch must leave an object");
      if (validation !== "Ignore" && unknownFields(rt, next).length > unknownFields(rt, current).length) checkPatchedFields(res, rt, next, validation);
      const shaped = checkWriteShape(route, next, "update");
      // A patch applies to what is stored now: unless the patch itself names a version, it cannot conflict.
      const patchRv = isPlainObject(patch) && isPlainObject(patch.metadata) ? patch.metadata.resourceVersion : undefined;
      shaped.metadata.resourceVersion = (patchRv as string | undefined) ?? current.metadata.resourceVersion;
      return sendJson(res, 200, store.update(rt, confirm(shaped, current), { dryRun, finalize: attribute(req, q, rt, now) }));
    }
    case "DELETE": {
      const opts = deleteOptions(q, await optionalBody(req));
      return sendJson(res, 200, store.delete(rt, route.namespace, route.name, opts));
    }
    default:
      throw new ApiError(405, "MethodNotAllowed", `${method} is not allowed on ${rt.plural}/${route.name}`);
  }
}

/** Watch events as one-row Tables; only the first carries the column definitions, as on a real server. */
function tableEvents(kind: KindBehaviour | undefined, store: ObjectStore, include: IncludeObject) {
  let headers = true;
  return (o: KObject) => {
    const t = toTable([o], kind, store.clock.now(), o.metadata.resourceVersion ?? "", {}, include, headers);
    headers = false;
    return t;
  };
}

/** The finalize hook that records a create, update or patch in managedFields under the request's field manager. */
function attribute(req: IncomingMessage, q: URLSearchParams, rt: ResourceType, now: number, subresource?: string) {
  const a = { manager: managerOf(q, req.headers["user-agent"]), apiVersion: apiVersionOf(rt), now: isoSeconds(now), subresource };
  return (obj: KObject, old: KObject | undefined) => recordUpdate(obj, old, a);
}

async function optionalBody(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const buf = await readBody(req);
  if (!buf.length || !buf.toString("utf8").trim()) return undefined;
  const body = parseBody(buf, req.headers["content-type"]);
  if (!isPlainObject(body)) throw badRequest("DeleteOptions must be a JSON object");
  return body;
}

function nonNegativeInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`${name}: Invalid value: "${v}": must be a non-negative integer`);
  return n;
}

/**
 * The API-fault switch: makes a share of write requests fail the way a struggling API server does
 * — 500 InternalError, 409 Conflict (as if someone else wrote first), or no answer at all — so
 * Stratus's transactions can be tested against an unreliable control plane. Off by default. Set in
 * process (`Sandbox.apiFaults.set`) or over HTTP: `PUT /sandbox/v1/api-faults` with a JSON body
 * {"error500": 0.2, "conflict": 0.1, "timeout": 0.05, "resources": ["deployments"]}; GET reads it.
 * These control paths live outside /api and /apis, where no Kubernetes client looks.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, badRequest, groupResource } from "./api/errors.ts";
import { isPlainObject, parseBody, readBody, sendError, sendJson } from "./api/http-util.ts";
import type { ExtraRoute, WriteInterceptor } from "./api/server.ts";

export type ApiFaultSettings = {
  /** Share of writes answered 500 InternalError. */
  error500: number;
  /** Share of updates and patches answered 409 Conflict. */
  conflict: number;
  /** Share of writes never answered (the client's timeout fires). */
  timeout: number;
  /** Only these resources (plural names); empty = every resource. */
  resources: string[];
};

export const NO_API_FAULTS: ApiFaultSettings = { error500: 0, conflict: 0, timeout: 0, resources: [] };
export const API_FAULTS_PATH = "/sandbox/v1/api-faults";

export class ApiFaults {
  private settings: ApiFaultSettings = { ...NO_API_FAULTS };
  /** How many writes each fault hit, for tests and reports. */
  readonly injected = { error500: 0, conflict: 0, timeout: 0 };

  constructor(private readonly random: () => number) {}

  get(): ApiFaultSettings {
    return { ...this.settings, resources: [...this.settings.resources] };
  }

  set(partial: Partial<ApiFaultSettings>): ApiFaultSettings {
    const next = { ...this.settings, ...partial };
    for (const k of ["error500", "conflict", "timeout"] as const) {
      const v = next[k];
      if (typeof v !== "number" || !(v >= 0 && v <= 1)) throw badRequest(`${k} must be a number from 0 to 1, got ${JSON.stringify(v)}`);
    }
    if (next.error500 + next.conflict + next.timeout > 1) throw badRequest("error500 + conflict + timeout must not exceed 1");
    if (!Array.isArray(next.resources) || next.resources.some((r) => typeof r !== "string")) throw badRequest("resources must be a list of resource names, e.g. [\"deployments\"]");
    this.settings = next;
    return this.get();
  }

  readonly intercept: WriteInterceptor = (method, route) => {
    const s = this.settings;
    if (s.error500 + s.conflict + s.timeout === 0) return undefined;
    if (s.resources.length && !s.resources.includes(route.rt.plural)) return undefined;
    const r = this.random();
    if (r < s.error500) {
      this.injected.error500++;
      return new ApiError(500, "InternalError", "Internal error occurred: etcdserver: request timed out");
    }
    if (r < s.error500 + s.conflict && (method === "PUT" || method === "PATCH")) {
      this.injected.conflict++;
      return new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${groupResource(route.rt.plural, route.rt.group)} "${route.name ?? ""}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    if (r >= s.error500 + s.conflict && r < s.error500 + s.conflict + s.timeout) {
      this.injected.timeout++;
      return "hang";
    }
    return undefined;
  };

  readonly route: ExtraRoute = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (url.pathname !== API_FAULTS_PATH) return false;
    try {
      if (req.method === "GET") sendJson(res, 200, { settings: this.get(), injected: this.injected });
      else if (req.method === "PUT") {
        const body = parseBody(await readBody(req), req.headers["content-type"]);
        if (!isPlainObject(body)) throw badRequest("send a JSON object such as {\"error500\": 0.2}");
        const unknown = Object.keys(body).filter((k) => !["error500", "conflict", "timeout", "resources"].includes(k));
        if (unknown.length) throw badRequest(`unknown field(s): ${unknown.join(", ")}; known: error500, conflict, timeout, resources`);
        sendJson(res, 200, { settings: this.set(body as Partial<ApiFaultSettings>), injected: this.injected });
      } else throw new ApiError(405, "MethodNotAllowed", "use GET or PUT");
    } catch (e) {
      sendError(res, e);
    }
    return true;
  };
}

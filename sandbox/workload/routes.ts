/**
 * The workload's HTTP endpoints on the sandbox's server, outside /api and /apis where no
 * Kubernetes client looks: `GET /metrics` (the whole cluster's Prometheus exposition), and the
 * load generator's control path `/sandbox/v1/workload` — GET its status (`?windowSeconds=N` adds the
 * success ratio over that window), PUT `{"app", "rate"}` to
 * change a rate, POST `/sandbox/v1/workload/burst` `{"app"?, "factor"?, "durationSeconds"?}` for a
 * short spike (what a noise scenario does to a running sandbox).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, badRequest } from "../api/errors.ts";
import { isPlainObject, parseBody, readBody, sendError, sendJson } from "../api/http-util.ts";
import type { ExtraRoute } from "../api/server.ts";
import type { Workload } from "./generator.ts";

export const METRICS_PATH = "/metrics";
export const WORKLOAD_PATH = "/sandbox/v1/workload";

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = parseBody(await readBody(req), req.headers["content-type"]);
  if (!isPlainObject(body)) throw badRequest("send a JSON object");
  return body as Record<string, unknown>;
}

/** Status per app; with `?windowSeconds=N`, also the success ratio and request count over that window. */
function statusBody(w: Workload, url?: URL) {
  const raw = url?.searchParams.get("windowSeconds");
  const windowMs = raw === null || raw === undefined ? undefined : Number(raw) * 1000;
  if (windowMs !== undefined && !(windowMs > 0)) throw badRequest(`windowSeconds must be a number > 0, got "${raw}"`);
  const nullable = (x: number) => (Number.isNaN(x) ? null : x);
  return {
    apps: w.status().map((s) => ({
      ...s,
      successRatio1m: nullable(s.successRatio1m),
      ...(windowMs === undefined ? {} : {
        windowSeconds: windowMs / 1000,
        successRatio: nullable(w.successRatio(windowMs, s.app)),
        requests: (({ ok, err }) => ok + err)(w.requestsIn(windowMs, s.app)),
      }),
    })),
  };
}

export function workloadRoutes(w: Workload): ExtraRoute[] {
  const metrics: ExtraRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (url.pathname !== METRICS_PATH) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      sendError(res, new ApiError(405, "MethodNotAllowed", "metrics can only be read (GET)"));
      return true;
    }
    const text = w.renderMetrics();
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8", "content-length": Buffer.byteLength(text) });
    res.end(req.method === "HEAD" ? undefined : text);
    return true;
  };
  const control: ExtraRoute = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const path = url.pathname.replace(/\/+$/, "");
    if (path !== WORKLOAD_PATH && path !== `${WORKLOAD_PATH}/burst`) return false;
    try {
      if (path === WORKLOAD_PATH && req.method === "GET") sendJson(res, 200, statusBody(w, url));
      else if (path === WORKLOAD_PATH && req.method === "PUT") {
        const body = await jsonBody(req);
        if (typeof body.app !== "string" || typeof body.rate !== "number") throw badRequest('send {"app": "<name>", "rate": <requests per second>}');
        w.setRate(body.app, body.rate);
        sendJson(res, 200, statusBody(w));
      } else if (path === `${WORKLOAD_PATH}/burst` && req.method === "POST") {
        const body = await jsonBody(req);
        const app = body.app === undefined ? undefined : String(body.app);
        const factor = body.factor === undefined ? undefined : Number(body.factor);
        const durationMs = body.durationSeconds === undefined ? undefined : Number(body.durationSeconds) * 1000;
        w.burst({ app, factor, durationMs });
        sendJson(res, 200, statusBody(w));
      } else throw new ApiError(405, "MethodNotAllowed", `use GET or PUT on ${WORKLOAD_PATH}, POST on ${WORKLOAD_PATH}/burst`);
    } catch (e) {
      sendError(res, e instanceof ApiError ? e : badRequest((e as Error).message));
    }
    return true;
  };
  return [metrics, control];
}

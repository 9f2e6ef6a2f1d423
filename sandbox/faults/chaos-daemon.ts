/**
 * The node-side half of a chaos tool, served by the sandbox: `POST /sandbox/v1/container-kill`
 * with {"namespace", "pod", "container"?} sends SIGKILL to one running container, as Chaos Mesh's
 * chaos-daemon does for a PodChaos container-kill. The kubelet then restarts it per the pod's
 * restartPolicy (restartCount 1, lastState exit 137), and nothing is left in the API to say why —
 * which is what a benign one-off restart looks like on a real cluster. Like the API-fault switch,
 * it lives outside /api and /apis, where no Kubernetes client looks.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, badRequest } from "../api/errors.ts";
import { isPlainObject, parseBody, readBody, sendError, sendJson } from "../api/http-util.ts";
import type { ExtraRoute } from "../api/server.ts";

export const CONTAINER_KILL_PATH = "/sandbox/v1/container-kill";

/** What the node runtime offers the daemon: kill one running container. */
export interface ContainerKiller {
  /** Kills the named (or first) running container of the pod; returns its name, or why it could not. */
  killContainer(namespace: string, pod: string, container?: string): { killed: string } | { error: string };
}

export function containerKillRoute(killer: ContainerKiller): ExtraRoute {
  return async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (url.pathname !== CONTAINER_KILL_PATH) return false;
    try {
      if (req.method !== "POST") throw new ApiError(405, "MethodNotAllowed", `use POST ${CONTAINER_KILL_PATH} with {"namespace", "pod", "container"?}`);
      const body = parseBody(await readBody(req), req.headers["content-type"]);
      if (!isPlainObject(body)) throw badRequest(`send a JSON object such as {"namespace": "hotel-reservation", "pod": "geo-..."}`);
      const unknown = Object.keys(body).filter((k) => !["namespace", "pod", "container"].includes(k));
      if (unknown.length) throw badRequest(`unknown field(s): ${unknown.join(", ")}; known: namespace, pod, container`);
      const { namespace, pod, container } = body as Record<string, unknown>;
      if (typeof namespace !== "string" || typeof pod !== "string") throw badRequest("namespace and pod must be strings");
      if (container !== undefined && typeof container !== "string") throw badRequest("container must be a string");
      const out = killer.killContainer(namespace, pod, container);
      if ("error" in out) throw new ApiError(409, "Conflict", out.error);
      sendJson(res, 200, { namespace, pod, container: out.killed, signal: "SIGKILL" });
    } catch (e) {
      sendError(res, e);
    }
    return true;
  };
}

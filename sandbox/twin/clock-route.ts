/**
 * The twin's clock control: `GET /sandbox/v1/clock` reads simulated time, `POST /sandbox/v1/clock`
 * with {"advanceMs": N} moves a virtual clock N ms forward, firing every controller, kubelet and
 * probe timer due on the way, and answers once they have settled. Stratus predicts a plan by
 * applying it and advancing this clock. Only the admin token may move time (the twin listens on
 * 127.0.0.1, but time is the one thing that makes a prediction, so it is not left open).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, badRequest } from "../api/errors.ts";
import { isPlainObject, parseBody, readBody, sendError, sendJson } from "../api/http-util.ts";
import type { ExtraRoute } from "../api/server.ts";
import { VirtualClock, type Clock } from "../clock.ts";

export const CLOCK_PATH = "/sandbox/v1/clock";
/** The most simulated time one request may advance (an hour): a bound on one call's work. */
export const MAX_ADVANCE_MS = 3_600_000;

export function clockRoute(clock: Clock, adminToken: () => string): ExtraRoute {
  let busy: Promise<void> = Promise.resolve();
  return async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (url.pathname !== CLOCK_PATH) return false;
    try {
      if (req.headers.authorization !== `Bearer ${adminToken()}`) throw new ApiError(401, "Unauthorized", "Unauthorized: the clock takes the admin's bearer token");
      const virtual = clock instanceof VirtualClock;
      if (req.method === "GET") {
        sendJson(res, 200, { now: clock.now(), virtual });
      } else if (req.method === "POST") {
        const body = parseBody(await readBody(req), req.headers["content-type"]);
        if (!isPlainObject(body)) throw badRequest('send a JSON object such as {"advanceMs": 1000}');
        const ms = (body as { advanceMs?: unknown }).advanceMs;
        if (typeof ms !== "number" || !Number.isInteger(ms) || ms < 0 || ms > MAX_ADVANCE_MS) throw badRequest(`advanceMs must be an integer from 0 to ${MAX_ADVANCE_MS}`);
        if (!(clock instanceof VirtualClock)) throw new ApiError(409, "Conflict", "this sandbox runs in real time: start it with --virtual to advance its clock");
        // One advance at a time: two overlapping ones would interleave timers out of order.
        const run = busy.then(() => clock.advanceAsync(ms));
        busy = run.catch(() => undefined);
        await run;
        sendJson(res, 200, { now: clock.now(), virtual });
      } else throw new ApiError(405, "MethodNotAllowed", "use GET or POST");
    } catch (e) {
      sendError(res, e);
    }
    return true;
  };
}

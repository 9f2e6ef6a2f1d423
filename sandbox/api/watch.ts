/**
 * Watches: a long-lived response that streams newline-delimited `{"type","object"}` events, as
 * client-go and @kubernetes/client-node informers expect. Without a resourceVersion (or with "0")
 * the stream starts with an ADDED event per current object; with one, it replays what changed
 * since, or sends an ERROR event with a 410 Expired Status when that is no longer in the history.
 * An object that stops matching the selector is reported DELETED; one that starts, ADDED.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "./errors.ts";
import type { ObjectFilter } from "./handlers.ts";
import { resourceKey, type ResourceType } from "./resources.ts";
import type { ObjectStore } from "./store.ts";
import type { KObject, StoreEvent } from "./types.ts";

const MAX_TIMER_MS = 2 ** 31 - 1;

export type WatchRequest = {
  rt: ResourceType;
  filter: ObjectFilter;
  resourceVersion?: string;
  timeoutSeconds?: number;
  bookmarks: boolean;
  /** Turns each event's object into what the client asked for (a Table row, for kubectl get -w). */
  transform?: (o: KObject) => unknown;
};

export function serveWatch(req: IncomingMessage, res: ServerResponse, store: ObjectStore, w: WatchRequest, onClose: (fn: () => void) => void): void {
  res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked", "Cache-Control": "no-cache" });
  res.flushHeaders();
  const key = resourceKey(w.rt);
  const send = (type: string, object: unknown) => {
    if (res.writableEnded) return;
    const out = w.transform && type !== "ERROR" && type !== "BOOKMARK" ? w.transform(object as KObject) : object;
    res.write(JSON.stringify({ type, object: out }) + "\n");
  };

  let closed = false;
  let unsubscribe = () => {};
  let timer: NodeJS.Timeout | undefined;
  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    if (timer) clearTimeout(timer);
    if (!res.writableEnded) res.end();
  };
  res.on("close", close);
  req.on("aborted", close);
  onClose(close);

  const deliver = (e: StoreEvent) => {
    if (e.resource !== key) return;
    const now = e.type !== "DELETED" && w.filter(e.object);
    const before = e.old !== undefined && w.filter(e.old);
    if (e.type === "ADDED" && now) send("ADDED", e.object);
    else if (e.type === "MODIFIED") {
      if (now && before) send("MODIFIED", e.object);
      else if (now) send("ADDED", e.object);
      else if (before) send("DELETED", e.object);
    } else if (e.type === "DELETED" && before) send("DELETED", e.object);
  };

  const rv = w.resourceVersion && w.resourceVersion !== "0" ? Number(w.resourceVersion) : undefined;
  if (rv === undefined) {
    for (const o of store.list(w.rt).filter(w.filter)) send("ADDED", o);
  } else if (!Number.isFinite(rv)) {
    send("ERROR", new ApiError(400, "BadRequest", `resourceVersion: Invalid value: "${w.resourceVersion}": must be a number`).toStatus());
    close();
    return;
  } else {
    try {
      for (const e of store.eventsSince(rv)) deliver(e);
    } catch (err) {
      if (err instanceof ApiError) {
        send("ERROR", err.toStatus());
        close();
        return;
      }
      throw err;
    }
  }
  unsubscribe = store.onEvent(deliver);
  if (w.bookmarks) {
    const bookmark: KObject = { apiVersion: w.rt.group ? `${w.rt.group}/${w.rt.version}` : w.rt.version, kind: w.rt.kind, metadata: { resourceVersion: String(store.currentRv()) } };
    send("BOOKMARK", bookmark);
  }
  if (w.timeoutSeconds && w.timeoutSeconds > 0) {
    // Watch timeouts are wall-clock: they bound a connection, not simulated work.
    // setTimeout fires at once on anything past 2^31-1 ms, so a huge timeout is capped, not instant.
    timer = setTimeout(close, Math.min(w.timeoutSeconds * 1000, MAX_TIMER_MS));
    timer.unref();
  }
}

/**
 * Tool `get_events`: a namespace's events, optionally for one object, deduplicated (the same
 * reason and message on the same object counts once, with its count) and newest first.
 */
import { z } from "zod";
import type { KubeObject } from "../../src/kube/types.ts";
import { MAX_EVENTS, normalizeLine } from "./bounds.ts";
import { inScope } from "./context.ts";
import { defineTool } from "./define.ts";

export const getEvents = defineTool({
  name: "get_events",
  description: "Events in a namespace (FailedScheduling, BackOff, Unhealthy, Killing...), deduplicated and newest first. Optionally only those about one object name (a pod, deployment, service...).",
  schema: z.object({ namespace: z.string(), name: z.string().optional(), type: z.enum(["Normal", "Warning"]).optional() }),
  run: async ({ namespace, name, type }, ctx) => {
    inScope(ctx, namespace);
    const events = await ctx.client.list("v1", "Event", { namespace, ...(name ? { fieldSelector: `involvedObject.name=${name}` } : {}) });
    const merged = new Map<string, { type: string; reason: string; object: string; message: string; count: number; last: string }>();
    for (const e of events as KubeObject[]) {
      if (type && e.type !== type) continue;
      const object = `${e.involvedObject?.kind ?? "?"}/${e.involvedObject?.name ?? "?"}`;
      const message = String(e.message ?? "").slice(0, 300);
      const key = `${e.type}|${e.reason}|${object}|${normalizeLine(message)}`;
      const last = String(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? "");
      const m = merged.get(key);
      if (m) {
        m.count += e.count ?? 1;
        if (last > m.last) m.last = last;
      } else merged.set(key, { type: e.type ?? "Normal", reason: e.reason ?? "", object, message, count: e.count ?? 1, last });
    }
    const rows = [...merged.values()].sort((a, b) => b.last.localeCompare(a.last));
    return { namespace, events: rows.slice(0, MAX_EVENTS), ...(rows.length > MAX_EVENTS ? { omitted: rows.length - MAX_EVENTS } : {}) };
  },
});

/**
 * meta.k8s.io/v1 Table responses: what `kubectl get` asks for (`Accept: ...;as=Table;v=v1;g=meta.k8s.io`)
 * so it can print the same columns a real cluster gives. Each kind's columns live in its kind file;
 * kinds without columns get NAME and AGE, as for custom resources without printer columns.
 */
import type { KindBehaviour, TableColumn } from "./kinds/kind.ts";
import type { KObject } from "./types.ts";
import { badRequest } from "./errors.ts";

const NAME: TableColumn = { name: "Name", type: "string", format: "name", description: "Name must be unique within a namespace.", priority: 0 };
const AGE: TableColumn = { name: "Age", type: "date", description: "CreationTimestamp is a timestamp representing the server time when this object was created.", priority: 0 };

export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

export type IncludeObject = "None" | "Metadata" | "Object";

/** The `includeObject` query parameter: what each row carries besides its cells. */
export function includeObjectOf(q: URLSearchParams): IncludeObject {
  const v = q.get("includeObject") ?? "";
  if (v === "" || v === "Metadata") return "Metadata";
  if (v === "None" || v === "Object") return v;
  throw badRequest(`unrecognized includeObject value: ${JSON.stringify(v)}`);
}

function rowObject(o: KObject, include: IncludeObject): unknown {
  if (include === "Object") return o;
  if (include === "None") return undefined;
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata };
}

/**
 * A Table of `items`. `headers: false` leaves out the column definitions, as a real server does
 * for every watch event after the first.
 */
export function toTable(items: KObject[], kind: KindBehaviour | undefined, now: number, resourceVersion: string, extraMeta: Record<string, unknown> = {}, include: IncludeObject = "Metadata", headers = true) {
  const columns = kind?.table?.columns ?? [NAME, AGE];
  const cells = kind?.table?.cells ?? ((o: KObject, n: number) => [o.metadata.name, age(o.metadata.creationTimestamp, n)]);
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: { resourceVersion, ...extraMeta },
    columnDefinitions: headers ? columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? "", description: c.description ?? "", priority: c.priority })) : null,
    rows: items.map((o) => ({ cells: cells(o, now), object: rowObject(o, include) })),
  };
}

/** Ages as kubectl prints them: 45s, 3m12s, 5h, 2d3h, 12d. */
export function age(timestamp: string | undefined, now: number): string {
  if (!timestamp) return "<unknown>";
  const s = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
  return `${d}d`;
}

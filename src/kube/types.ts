/**
 * The plain shapes the product passes around for cluster objects: JSON as the API server sends
 * it, addressed by an ObjectRef. Typed enough to read metadata; open everywhere else, because the
 * core must snapshot and restore any object exactly, including fields it does not know.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubeObject = { apiVersion: string; kind: string; metadata: ObjectMeta; [key: string]: any };

export type ObjectMeta = {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }>;
  [key: string]: unknown;
};

/**
 * The one shape of an object's address. `ObjectAddress` (kind, namespace, name) is what the ledger,
 * incidents, evidence and health checks name objects by; `ObjectRef` adds the apiVersion a client
 * needs to reach it. Boundary schemas elsewhere (ledger rows, incidents) infer these same types.
 */
export type ObjectAddress = { kind: string; namespace?: string; name: string };
export type ObjectRef = ObjectAddress & { apiVersion: string };

/** Compile-time proof that a boundary schema's inferred type is exactly this address shape. */
export type SameShape<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;

export const refOf = (o: KubeObject): ObjectRef => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
  name: o.metadata.name,
});

/** "Deployment hotel-reservation/geo", as messages and the ledger print a ref. */
export const formatRef = (r: ObjectRef) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ""}${r.name}`;

export type PatchType = "merge" | "strategic" | "json";
export type WriteOptions = { dryRun?: boolean };
export type ListOptions = { namespace?: string; labelSelector?: string; fieldSelector?: string };

/** Every write names this field manager, so managedFields (and `kubectl diff`) say Stratus wrote it. */
export const FIELD_MANAGER = "stratus";

/**
 * The shapes the simulated API server stores and serves. Objects are plain JSON as the real API
 * server speaks it; only the metadata every object shares is typed, the rest stays open because
 * the server must store whatever fields a client sends (like a real one, it does not drop them).
 */

export type OwnerReference = {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
};

export type ObjectMeta = {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [key: string]: unknown;
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KObject = { apiVersion: string; kind: string; metadata: ObjectMeta; [key: string]: any };

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export type StoreEvent = {
  type: WatchEventType;
  /** The resource type key (see ResourceType.key). */
  resource: string;
  object: KObject;
  /** The object before the change (for MODIFIED and DELETED). */
  old?: KObject;
  rv: number;
};

export type FieldCause = { reason: string; message: string; field: string };

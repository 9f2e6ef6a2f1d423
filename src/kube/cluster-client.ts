/**
 * ClusterClient: the only way Stratus reads and writes a cluster. One small interface so the core,
 * agents and health checks don't care whether it is the sandbox or a real cluster behind it; the
 * implementation (`kube-client.ts`) speaks HTTP through @kubernetes/client-node.
 */
import type { KubeObject, ListOptions, ObjectRef, PatchType, WriteOptions } from "./types.ts";

export interface ClusterClient {
  /** The object, or undefined when the server says 404. Other failures throw KubeApiError. */
  read(ref: ObjectRef): Promise<KubeObject | undefined>;
  list(apiVersion: string, kind: string, opts?: ListOptions): Promise<KubeObject[]>;
  /** Throws KubeApiError (409 AlreadyExists, 422 Invalid...). With dryRun nothing is stored. */
  create(obj: KubeObject, opts?: WriteOptions): Promise<KubeObject>;
  /** PUT; a stale metadata.resourceVersion throws 409 Conflict. */
  replace(obj: KubeObject, opts?: WriteOptions): Promise<KubeObject>;
  patch(ref: ObjectRef, patch: unknown, type: PatchType, opts?: WriteOptions): Promise<KubeObject>;
  /** Deletes; a missing object is not an error (idempotent). */
  delete(ref: ObjectRef, opts?: WriteOptions & { propagationPolicy?: "Background" | "Foreground" | "Orphan" }): Promise<void>;
  podLogs(namespace: string, pod: string, opts?: { container?: string; tailLines?: number; previous?: boolean }): Promise<string>;
  /** The server URL, for messages. */
  readonly server: string;
}

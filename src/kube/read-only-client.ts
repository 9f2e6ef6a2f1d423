/**
 * The base of every read-only view of a cluster (the watchdog's informer-backed reader, detection's
 * per-tick reader): reads the subclass does not answer itself go to the direct client, and every
 * write is refused — only transactions write, through the direct client. Subclasses override
 * `list` and `read` to answer from wherever they keep things.
 */
import { StratusError } from "../base/errors.ts";
import type { ClusterClient } from "./cluster-client.ts";
import type { KubeObject, ListOptions, ObjectRef } from "./types.ts";

export abstract class ReadOnlyClient implements ClusterClient {
  readonly server: string;

  /** `who` names the view in the error a write gets ("the watchdog's cached client"). */
  constructor(protected readonly direct: ClusterClient, private readonly who: string) {
    this.server = direct.server;
  }

  list(apiVersion: string, kind: string, opts?: ListOptions): Promise<KubeObject[]> {
    return this.direct.list(apiVersion, kind, opts);
  }

  read(ref: ObjectRef): Promise<KubeObject | undefined> {
    return this.direct.read(ref);
  }

  podLogs(namespace: string, pod: string, opts?: { container?: string; tailLines?: number; previous?: boolean }): Promise<string> {
    return this.direct.podLogs(namespace, pod, opts);
  }

  async create(): Promise<KubeObject> {
    return this.refuse();
  }
  async replace(): Promise<KubeObject> {
    return this.refuse();
  }
  async patch(): Promise<KubeObject> {
    return this.refuse();
  }
  async delete(): Promise<void> {
    return this.refuse();
  }

  private refuse(): never {
    throw new StratusError("TRANSACTION", `${this.who} is read-only: writes go through a transaction with the direct client`);
  }
}

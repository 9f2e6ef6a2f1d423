/**
 * What each running container of an app image decided when it started — the process's memory,
 * as it were: which program it is, the ports it listens on, the addresses and credentials it read
 * from its config and env, whether it is the bad release, and (for a database) where its users
 * file is. The app images' behaviour models write an entry at every start (and drop it when the
 * start fails); the workload reads it to route requests to what a pod really runs. One table per
 * sandbox, keyed by pod uid and container name.
 */

export type InstanceKind = "go" | "thrift" | "openresty" | "mongo" | "memcached" | "redis";

export type MongoClient = { addr: string; user: string; password: string; database: string };

export type AppInstance = {
  kind: InstanceKind;
  /** The service the program implements: "geo", "compose-post-service", "mongod", ... */
  role: string;
  ports: number[];
  /** Callee name -> "host:port" from the config the program read at start. */
  callees: Record<string, string>;
  timeoutMs: number;
  mongo?: MongoClient;
  memcachedAddr?: string;
  redisAddr?: string;
  /** The bad release: serves, but most requests it handles fail. */
  buggy: boolean;
  /** A database: the Secret (name, key) its users file is mounted from, read live. */
  usersSecret?: { name: string; key: string };
  /** A database: net.tls.mode from its config. */
  tlsMode?: string;
  memoryBytes: number;
  startedAt: number;
  /** Changes with every start: lets readers tell one process from the next. */
  generation: number;
};

export class InstanceTable {
  /** pod uid -> container name -> instance */
  private readonly pods = new Map<string, Map<string, AppInstance>>();
  private generation = 0;

  /** Records a started process (replacing the container's previous one). */
  set(podUid: string, container: string, instance: Omit<AppInstance, "generation">): void {
    let byContainer = this.pods.get(podUid);
    if (!byContainer) this.pods.set(podUid, (byContainer = new Map()));
    byContainer.set(container, { ...instance, generation: ++this.generation });
  }

  /** The container's process did not start or exited: nothing listens any more. */
  clear(podUid: string, container: string): void {
    const byContainer = this.pods.get(podUid);
    byContainer?.delete(container);
    if (byContainer && !byContainer.size) this.pods.delete(podUid);
  }

  get(podUid: string, container: string): AppInstance | undefined {
    return this.pods.get(podUid)?.get(container);
  }

  /** Every recorded process of a pod. */
  forPod(podUid: string): AppInstance[] {
    const byContainer = this.pods.get(podUid);
    return byContainer ? [...byContainer.values()] : [];
  }

  /** Drops every entry whose pod is not in `alive` (pods deleted since). */
  prune(alive: Set<string>): void {
    for (const uid of this.pods.keys()) if (!alive.has(uid)) this.pods.delete(uid);
  }

  get size(): number {
    return this.pods.size;
  }
}

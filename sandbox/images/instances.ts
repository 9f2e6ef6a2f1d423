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
  /** A counter that changes with every start: lets readers tell one process from the next. */
  generation: number;
};

export class InstanceTable {
  private readonly byKey = new Map<string, AppInstance>();
  private generation = 0;

  /** Records a started process (replacing the container's previous one). */
  set(podUid: string, container: string, instance: Omit<AppInstance, "generation">): void {
    this.byKey.set(`${podUid}/${container}`, { ...instance, generation: ++this.generation });
  }

  /** The container's process did not start or exited: nothing listens any more. */
  clear(podUid: string, container: string): void {
    this.byKey.delete(`${podUid}/${container}`);
  }

  get(podUid: string, container: string): AppInstance | undefined {
    return this.byKey.get(`${podUid}/${container}`);
  }

  /** Drops every entry whose pod is not in `alive` (pods deleted since). */
  prune(alive: Set<string>): void {
    for (const key of this.byKey.keys()) if (!alive.has(key.slice(0, key.indexOf("/")))) this.byKey.delete(key);
  }

  get size(): number {
    return this.byKey.size;
  }
}

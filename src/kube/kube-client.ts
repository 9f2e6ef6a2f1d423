/**
 * ClusterClient over @kubernetes/client-node: every call has a wall-clock timeout, errors become
 * KubeApiError with the server's reason and message, and idempotent reads are retried with
 * exponential back-off on 5xx, 429 and timeouts. Writes are not retried here — whether a write
 * may be repeated is the transaction's decision (it re-reads on 409 and knows what it applied).
 */
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { ApiException, KubeConfig } from "@kubernetes/client-node";
import { systemClock, type Clock } from "../base/clock.ts";
import { KubeApiError, StratusError } from "../base/errors.ts";
import type { ClusterClient } from "./cluster-client.ts";
import { missingPermission, permissionOf } from "./forbidden.ts";
import { RawObjectApi } from "./raw-object-api.ts";
import { FIELD_MANAGER, type KubeObject, type ListOptions, type ObjectRef, type PatchType, type WriteOptions } from "./types.ts";

export { FIELD_MANAGER };
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_READ_RETRIES = 4;
export const DEFAULT_RETRY_BASE_MS = 200;

export type KubeClientOptions = {
  requestTimeoutMs?: number;
  readRetries?: number;
  retryBaseMs?: number;
  clock?: Clock;
};

/**
 * Where the cluster is, in kubectl's order: `--kubeconfig FILE`; else $KUBECONFIG (paths joined
 * with ":" are merged) or ~/.kube/config; else the pod's ServiceAccount when running in a pod
 * (KUBERNETES_SERVICE_HOST set). Never client-node's last resort, http://localhost:8080: a watchdog
 * that silently talks to nothing reports "no incidents" and exits 0, which is the worst answer.
 */
export type KubeConfigSource = { kc: KubeConfig; source: string };

export type KubeConfigOptions = {
  kubeconfig?: string;
  context?: string;
  /** The environment to read KUBECONFIG, HOME and KUBERNETES_SERVICE_HOST from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Test seam: prefix of the in-cluster ServiceAccount files (client-node's loadFromCluster pathPrefix). */
  inClusterRoot?: string;
};

export const NO_CLUSTER_MESSAGE = "no cluster configured: pass --kubeconfig FILE, set KUBECONFIG, or run in a pod";

export function findKubeConfig(opts: KubeConfigOptions = {}): KubeConfigSource {
  const env = opts.env ?? process.env;
  const kc = new KubeConfig();
  let source: string;
  const load = (file: string, what: string) => {
    try {
      kc.loadFromFile(file);
    } catch (e) {
      throw new StratusError("KUBECONFIG", `cannot load kubeconfig ${file} (${what}): ${(e as Error).message}; pass --kubeconfig FILE`);
    }
  };
  const fromEnv = (env.KUBECONFIG ?? "").split(delimiter).filter(Boolean);
  const home = env.HOME || env.USERPROFILE;
  const homeConfig = home ? join(home, ".kube", "config") : undefined;
  if (opts.kubeconfig) {
    load(opts.kubeconfig, "--kubeconfig");
    source = `--kubeconfig ${opts.kubeconfig}`;
  } else if (fromEnv.length) {
    load(fromEnv[0], "$KUBECONFIG");
    for (const file of fromEnv.slice(1)) {
      const more = new KubeConfig();
      try {
        more.loadFromFile(file);
      } catch (e) {
        throw new StratusError("KUBECONFIG", `cannot load kubeconfig ${file} ($KUBECONFIG): ${(e as Error).message}`);
      }
      kc.mergeConfig(more, true);
    }
    source = `$KUBECONFIG (${fromEnv.join(delimiter)})`;
  } else if (homeConfig && existsSync(homeConfig)) {
    load(homeConfig, "~/.kube/config");
    source = homeConfig;
  } else if (env.KUBERNETES_SERVICE_HOST) {
    // loadFromCluster reads the host and port from process.env itself.
    kc.loadFromCluster(opts.inClusterRoot);
    source = "the pod's ServiceAccount (in-cluster)";
  } else {
    throw new StratusError("KUBECONFIG", NO_CLUSTER_MESSAGE, { tried: ["--kubeconfig", "$KUBECONFIG", homeConfig ?? "~/.kube/config", "in-cluster (KUBERNETES_SERVICE_HOST unset)"] });
  }
  if (opts.context) {
    if (!kc.getContexts().some((c) => c.name === opts.context)) {
      throw new StratusError("KUBECONFIG", `context "${opts.context}" is not in the kubeconfig (${source}); it has: ${kc.getContexts().map((c) => c.name).join(", ") || "none"}`);
    }
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()) throw new StratusError("KUBECONFIG", `the kubeconfig (${source}) has no current cluster; pass --context NAME or fix current-context`);
  return { kc, source };
}

export function loadKubeConfig(opts: KubeConfigOptions = {}): KubeConfig {
  return findKubeConfig(opts).kc;
}

export class KubeClient implements ClusterClient {
  private readonly api: RawObjectApi;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly baseMs: number;
  private readonly clock: Clock;
  readonly server: string;

  constructor(kc: KubeConfig, opts: KubeClientOptions = {}) {
    this.api = RawObjectApi.forConfig(kc);
    this.server = kc.getCurrentCluster()?.server ?? "(unknown)";
    this.timeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.retries = opts.readRetries ?? DEFAULT_READ_RETRIES;
    this.baseMs = opts.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
    this.clock = opts.clock ?? systemClock;
  }

  async read(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      return await this.withRetry(() => this.api.read(header(ref)) as Promise<KubeObject>, `read ${describe(ref)}`);
    } catch (e) {
      if (e instanceof KubeApiError && e.status === 404) return undefined;
      throw e;
    }
  }

  async list(apiVersion: string, kind: string, opts: ListOptions = {}): Promise<KubeObject[]> {
    const res = await this.withRetry(
      () => this.api.list(apiVersion, kind, opts.namespace, undefined, undefined, undefined, opts.fieldSelector, opts.labelSelector),
      `list ${kind}`,
    );
    // Lists may omit apiVersion/kind on items; fill them in so every object is self-describing.
    return (res.items as KubeObject[]).map((o) => ({ ...o, apiVersion: o.apiVersion ?? apiVersion, kind: o.kind ?? kind }));
  }

  create(obj: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    return this.call(() => this.api.create(obj as never, undefined, dry(opts), FIELD_MANAGER) as Promise<KubeObject>, `create ${describe(obj)}`);
  }

  replace(obj: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    return this.call(() => this.api.replace(obj as never, undefined, dry(opts), FIELD_MANAGER) as Promise<KubeObject>, `replace ${describe(obj)}`);
  }

  patch(ref: ObjectRef, patch: unknown, type: PatchType, opts: WriteOptions = {}): Promise<KubeObject> {
    const what = `patch ${describe(ref)}`;
    if (type === "json") {
      if (!Array.isArray(patch)) throw new StratusError("INVALID_INPUT", `${what}: a JSON patch must be an array of operations`);
      return this.call(() => this.api.jsonPatch(header(ref), patch, dry(opts), FIELD_MANAGER) as Promise<KubeObject>, what);
    }
    const body = { ...(patch as object), apiVersion: ref.apiVersion, kind: ref.kind, metadata: { ...((patch as { metadata?: object }).metadata ?? {}), name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } };
    const strategy = type === "merge" ? "application/merge-patch+json" : "application/strategic-merge-patch+json";
    return this.call(() => this.api.patch(body as never, undefined, dry(opts), FIELD_MANAGER, undefined, strategy) as Promise<KubeObject>, what);
  }

  async delete(ref: ObjectRef, opts: WriteOptions & { propagationPolicy?: "Background" | "Foreground" | "Orphan" } = {}): Promise<void> {
    try {
      await this.call(() => this.api.delete(header(ref), undefined, dry(opts), undefined, undefined, opts.propagationPolicy), `delete ${describe(ref)}`);
    } catch (e) {
      if (e instanceof KubeApiError && e.status === 404) return;
      throw e;
    }
  }

  podLogs(namespace: string, pod: string, opts: { container?: string; tailLines?: number; previous?: boolean } = {}): Promise<string> {
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`;
    return this.withRetry(() => this.api.getText(path, {
      container: opts.container,
      tailLines: opts.tailLines === undefined ? undefined : String(opts.tailLines),
      previous: opts.previous ? "true" : undefined,
    }), `logs of pod ${namespace}/${pod}`);
  }

  /** One attempt with a timeout, errors mapped. */
  private async call<T>(fn: () => Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new KubeApiError(0, "Timeout", `${what}: no answer from ${this.server} within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      return await Promise.race([fn(), timeout]);
    } catch (e) {
      throw toKubeError(e, what, this.server);
    } finally {
      clearTimeout(timer);
    }
  }

  private async withRetry<T>(fn: () => Promise<T>, what: string): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.call(fn, what);
      } catch (e) {
        if (!(e instanceof KubeApiError) || !e.retryable || attempt >= this.retries) throw e;
        await this.clock.sleep(Math.min(this.baseMs * 2 ** attempt, 5_000));
      }
    }
  }
}

function header(ref: ObjectRef) {
  return { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } };
}

const dry = (opts: WriteOptions) => (opts.dryRun ? ("All" as const) : undefined);

function describe(o: ObjectRef | KubeObject): string {
  const meta = "metadata" in o ? o.metadata : o;
  return `${o.kind} ${meta.namespace ? `${meta.namespace}/` : ""}${meta.name}`;
}

export function toKubeError(e: unknown, what: string, server: string): KubeApiError {
  if (e instanceof KubeApiError) return e;
  if (e instanceof ApiException) {
    const body = e.body as { reason?: string; message?: string } | string | undefined;
    const reason = typeof body === "object" && body?.reason ? body.reason : `HTTP${e.code}`;
    const msg = typeof body === "object" && body?.message ? body.message : typeof body === "string" && body ? body.slice(0, 300) : `HTTP ${e.code}`;
    // A refusal names the permission to grant, not only the server's sentence.
    const missing = e.code === 403 ? permissionOf(msg) : undefined;
    return new KubeApiError(e.code, reason, `${what}: ${msg}${missing ? `; ${missingPermission(missing)}` : ""}`);
  }
  const err = e as Error & { code?: string; cause?: { code?: string } };
  const code = err?.code ?? err?.cause?.code ?? "";
  // Only transport failures mean "unreachable"; anything else is a bug and must surface as itself.
  const transport = /^(E[A-Z]+|UND_ERR.*)$/.test(code) || err?.name === "FetchError" || /fetch failed|socket hang up|network/i.test(err?.message ?? "");
  if (!transport) throw e;
  return new KubeApiError(0, "Unreachable", `${what}: cannot reach ${server}${code ? ` (${code})` : ""}: ${err?.message ?? String(e)}`);
}

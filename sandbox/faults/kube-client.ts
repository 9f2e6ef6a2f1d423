/**
 * The small Kubernetes HTTP client the fault injectors and oracles use. Faults reach a cluster only
 * the way an operator or a chaos tool does — the Kubernetes REST API, authenticated from a
 * kubeconfig — so this client works against the sandbox and against a real cluster alike.
 * @kubernetes/client-node loads the kubeconfig and supplies TLS and auth options; the requests are
 * plain node:http(s), which keeps objects exactly as the server sent them (no typed decoding that
 * drops fields) and lets us send merge and JSON patches to any resource, custom ones included.
 */
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { KubeConfig } from "@kubernetes/client-node";
import type { KObject } from "../api/types.ts";

/** Identifies one object: apiVersion and kind say where it lives. */
export type ObjectRef = { apiVersion: string; kind: string; namespace?: string; name: string };

export type PatchType = "merge" | "json" | "strategic";

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
  strategic: "application/strategic-merge-patch+json",
};

/** Plural resource names of the kinds faults touch; a real client would ask discovery. */
const PLURALS: Record<string, string> = {
  Namespace: "namespaces", Node: "nodes", Pod: "pods", Service: "services", Endpoints: "endpoints",
  ConfigMap: "configmaps", Secret: "secrets", Event: "events", PersistentVolumeClaim: "persistentvolumeclaims",
  PersistentVolume: "persistentvolumes", Deployment: "deployments", ReplicaSet: "replicasets",
  NetworkPolicy: "networkpolicies", StorageClass: "storageclasses", NetworkChaos: "networkchaos",
  StressChaos: "stresschaos", PodChaos: "podchaos", ResourceQuota: "resourcequotas", LimitRange: "limitranges",
  Job: "jobs", CronJob: "cronjobs", HorizontalPodAutoscaler: "horizontalpodautoscalers", ServiceAccount: "serviceaccounts",
};
const CLUSTER_SCOPED = new Set(["Namespace", "Node", "PersistentVolume", "StorageClass"]);

/** Where each kind faults use is served, so callers can say just the kind. */
export const API_VERSIONS: Record<string, string> = {
  Namespace: "v1", Node: "v1", Pod: "v1", Service: "v1", Endpoints: "v1", ConfigMap: "v1", Secret: "v1",
  Event: "v1", PersistentVolumeClaim: "v1", PersistentVolume: "v1", Deployment: "apps/v1", ReplicaSet: "apps/v1",
  NetworkPolicy: "networking.k8s.io/v1", StorageClass: "storage.k8s.io/v1",
  NetworkChaos: "chaos-mesh.org/v1alpha1", StressChaos: "chaos-mesh.org/v1alpha1", PodChaos: "chaos-mesh.org/v1alpha1",
  ResourceQuota: "v1", LimitRange: "v1", ServiceAccount: "v1", Job: "batch/v1", CronJob: "batch/v1", HorizontalPodAutoscaler: "autoscaling/v2",
};

/** A non-2xx answer, with the Status reason and message the server gave. */
export class KubeApiError extends Error {
  constructor(readonly status: number, readonly reason: string, message: string) {
    super(message);
    this.name = "KubeApiError";
  }
}

export const isNotFound = (e: unknown) => e instanceof KubeApiError && e.status === 404;

export class KubeClient {
  private constructor(private readonly kc: KubeConfig, readonly server: string) {}

  static fromKubeconfigFile(file: string): KubeClient {
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    return KubeClient.fromKubeConfig(kc);
  }

  static fromKubeConfig(kc: KubeConfig): KubeClient {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error("the kubeconfig has no current cluster; set current-context");
    return new KubeClient(kc, cluster.server.replace(/\/+$/, ""));
  }

  /** Shorthand: the ref of a namespaced object of a kind faults know. */
  static ref(kind: string, namespace: string | undefined, name: string): ObjectRef {
    const apiVersion = API_VERSIONS[kind];
    if (!apiVersion) throw new Error(`unknown kind ${kind}`);
    return { apiVersion, kind, namespace: CLUSTER_SCOPED.has(kind) ? undefined : namespace, name };
  }

  /** The object, or undefined when it does not exist. */
  async get(ref: ObjectRef): Promise<KObject | undefined> {
    try {
      return (await this.call("GET", objectPath(ref))) as KObject;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** The object; throws KubeApiError 404 when it does not exist. */
  async require(ref: ObjectRef): Promise<KObject> {
    return (await this.call("GET", objectPath(ref))) as KObject;
  }

  async list(apiVersion: string, kind: string, namespace?: string, opts: { labelSelector?: string; fieldSelector?: string } = {}): Promise<KObject[]> {
    const q = new URLSearchParams();
    if (opts.labelSelector) q.set("labelSelector", opts.labelSelector);
    if (opts.fieldSelector) q.set("fieldSelector", opts.fieldSelector);
    const path = collectionPath(apiVersion, kind, CLUSTER_SCOPED.has(kind) ? undefined : namespace);
    const body = (await this.call("GET", q.size ? `${path}?${q}` : path)) as { items?: KObject[] };
    // A list's items carry no apiVersion/kind on the wire; fill them in as client libraries do.
    return (body.items ?? []).map((o) => ({ ...o, apiVersion, kind }));
  }

  async create(obj: KObject): Promise<KObject> {
    const ref = refOf(obj);
    return (await this.call("POST", collectionPath(ref.apiVersion, ref.kind, ref.namespace), obj)) as KObject;
  }

  /** PUT: the object must carry the resourceVersion it was read at (a stale one gets 409). */
  async replace(obj: KObject): Promise<KObject> {
    return (await this.call("PUT", objectPath(refOf(obj)), obj)) as KObject;
  }

  async patch(ref: ObjectRef, patch: unknown, type: PatchType = "merge"): Promise<KObject> {
    return (await this.call("PATCH", objectPath(ref), patch, PATCH_CONTENT_TYPES[type])) as KObject;
  }

  /** Deletes the object; a missing object is not an error (returns false). */
  async delete(ref: ObjectRef, opts: { gracePeriodSeconds?: number; propagationPolicy?: "Background" | "Foreground" | "Orphan" } = {}): Promise<boolean> {
    const body = { apiVersion: "v1", kind: "DeleteOptions", ...opts };
    try {
      await this.call("DELETE", objectPath(ref), body);
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  /** The log of a pod's container (`previous` for the instance before the last restart). */
  async podLog(namespace: string, pod: string, container?: string, opts: { previous?: boolean; tailLines?: number } = {}): Promise<string> {
    const q = new URLSearchParams();
    if (container) q.set("container", container);
    if (opts.previous) q.set("previous", "true");
    if (opts.tailLines !== undefined) q.set("tailLines", String(opts.tailLines));
    const path = `/api/v1/namespaces/${enc(namespace)}/pods/${enc(pod)}/log${q.size ? `?${q}` : ""}`;
    return (await this.send("GET", path)).text;
  }

  /** Any request to the server (control endpoints, /metrics); JSON in and out when `body` is given. */
  async call(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<unknown> {
    const res = await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), contentType);
    return res.text ? JSON.parse(res.text) : {};
  }

  async send(method: string, path: string, body?: string, contentType = "application/json"): Promise<{ status: number; text: string; headers: IncomingHttpHeaders }> {
    const url = new URL(this.server + path);
    const opts: RequestOptions = {
      method,
      hostname: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      headers: { Accept: "application/json", ...(body !== undefined ? { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) } : {}) },
    };
    await this.kc.applyToHTTPSOptions(opts);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const res = await new Promise<{ status: number; text: string; headers: IncomingHttpHeaders }>((resolve, reject) => {
      const req = send(opts, (r) => {
        const chunks: Buffer[] = [];
        r.on("data", (c: Buffer) => chunks.push(c));
        r.on("end", () => resolve({ status: r.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"), headers: r.headers }));
        r.on("error", reject);
      });
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer from ${this.server} within 30s`)));
      req.on("error", (e) => reject(new Error(`${method} ${path}: cannot reach ${this.server}: ${e.message}`)));
      if (body !== undefined) req.write(body);
      req.end();
    });
    if (res.status >= 200 && res.status < 300) return res;
    let reason = "Unknown";
    let message = res.text.trim() || `HTTP ${res.status}`;
    try {
      const status = JSON.parse(res.text) as { reason?: string; message?: string };
      reason = status.reason ?? reason;
      message = status.message ?? message;
    } catch {
      /* not a Status: keep the text */
    }
    throw new KubeApiError(res.status, reason, message);
  }
}

export function refOf(obj: KObject): ObjectRef {
  return { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name! };
}

const enc = encodeURIComponent;

function collectionPath(apiVersion: string, kind: string, namespace: string | undefined): string {
  const plural = PLURALS[kind];
  if (!plural) throw new Error(`no resource name known for kind ${kind}`);
  const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return namespace && !CLUSTER_SCOPED.has(kind) ? `${base}/namespaces/${enc(namespace)}/${plural}` : `${base}/${plural}`;
}

function objectPath(ref: ObjectRef): string {
  return `${collectionPath(ref.apiVersion, ref.kind, ref.namespace)}/${enc(ref.name)}`;
}

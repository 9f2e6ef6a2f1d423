/**
 * A ClusterClient whose reads come from the informers' cache where one covers them: `list` and
 * `read` of informed kinds are answered locally (selectors applied as the server would), so the
 * detection agent and the health gauge can look every few seconds without polling the API server.
 * Anything not cached — logs, kinds without an informer, an informer not yet synced — goes to the
 * server. Writes are refused: only transactions write, and they use the direct client.
 */
import type { ClusterClient } from "../kube/cluster-client.ts";
import { KubeApiError } from "../base/errors.ts";
import { ReadOnlyClient } from "../kube/read-only-client.ts";
import type { KubeObject, ListOptions, ObjectRef } from "../kube/types.ts";
import type { InformerCache } from "./informers.ts";
import { fieldMatcher, labelMatcher } from "../kube/selectors.ts";

export class CachedClient extends ReadOnlyClient {
  cacheHits = 0;
  serverReads = 0;

  constructor(direct: ClusterClient, private readonly cache: InformerCache) {
    super(direct, "the watchdog's cached client");
  }

  override async list(apiVersion: string, kind: string, opts: ListOptions = {}): Promise<KubeObject[]> {
    const cached = this.cache.list(apiVersion, kind, opts.namespace);
    if (cached === null) throw new KubeApiError(404, "NotFound", `the server could not find the requested resource (${kind})`);
    const byLabel = labelMatcher(opts.labelSelector);
    const byField = fieldMatcher(opts.fieldSelector);
    if (cached === undefined || !byLabel || !byField) {
      this.serverReads++;
      return this.direct.list(apiVersion, kind, opts);
    }
    this.cacheHits++;
    return cached.filter((o) => byLabel(o) && byField(o));
  }

  override async read(ref: ObjectRef): Promise<KubeObject | undefined> {
    const cached = this.cache.list(ref.apiVersion, ref.kind, ref.namespace);
    if (cached === undefined || cached === null) {
      this.serverReads++;
      return this.direct.read(ref);
    }
    this.cacheHits++;
    return cached.find((o) => o.metadata.name === ref.name && (o.metadata.namespace ?? "") === (ref.namespace ?? ""));
  }
}

/**
 * One connection pool per API server, not one per request. @kubernetes/client-node 2.0 builds a new
 * undici Agent for every request (KubeConfig.createDispatcher, called from
 * applySecurityAuthentication), so each read, Lease renewal and watch opens a fresh TCP connection
 * and TLS handshake and keep-alive never helps — at a tick every few seconds that is most of an
 * idle watchdog's network CPU. client-go shares one transport per rest config; this does the same:
 * the KubeConfig's dispatcher is memoized per distinct TLS setting (CA, client certificate, server
 * name, proxy), so a rotated certificate still gets a new pool. Bearer tokens are headers, set per
 * request, and unaffected. Idempotent: a KubeConfig is patched once.
 */
import { createHash } from "node:crypto";
import type { KubeConfig } from "@kubernetes/client-node";

type Dispatching = { createDispatcher(cluster: unknown, agentOptions: Record<string, unknown>): unknown };

const shared = new WeakSet<KubeConfig>();

export function shareConnections(kc: KubeConfig): KubeConfig {
  if (shared.has(kc)) return kc;
  shared.add(kc);
  const target = kc as unknown as Dispatching;
  const create = target.createDispatcher?.bind(kc);
  if (typeof create !== "function") return kc; // a client-node without this seam: nothing to share
  const pools = new Map<string, unknown>();
  target.createDispatcher = (cluster, agentOptions) => {
    const key = createHash("sha256").update(JSON.stringify([cluster, agentOptions], bytesAsBase64)).digest("hex");
    if (!pools.has(key)) pools.set(key, create(cluster, agentOptions));
    return pools.get(key);
  };
  return kc;
}

const bytesAsBase64 = (_k: string, v: unknown) =>
  v && typeof v === "object" && (v as { type?: string }).type === "Buffer" ? Buffer.from((v as { data: number[] }).data).toString("base64") : v;

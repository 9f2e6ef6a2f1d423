/**
 * A ClusterClient that can only dry-run: every write is sent with dryRun=All whatever the caller
 * asked, so nothing an MCP tool does can store an object, even through an action that forgot its
 * `dryRun` flag. Reads pass through.
 */
import type { ClusterClient } from "../kube/cluster-client.ts";

export function dryRunOnly(client: ClusterClient): ClusterClient {
  return {
    server: client.server,
    read: (ref) => client.read(ref),
    list: (apiVersion, kind, opts) => client.list(apiVersion, kind, opts),
    podLogs: (ns, pod, opts) => client.podLogs(ns, pod, opts),
    create: (obj, opts) => client.create(obj, { ...opts, dryRun: true }),
    replace: (obj, opts) => client.replace(obj, { ...opts, dryRun: true }),
    patch: (ref, patch, type, opts) => client.patch(ref, patch, type, { ...opts, dryRun: true }),
    delete: (ref, opts) => client.delete(ref, { ...opts, dryRun: true }),
  };
}

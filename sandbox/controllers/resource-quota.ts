/**
 * The resource quota controller: keeps each ResourceQuota's `status.hard` equal to its spec and
 * `status.used` equal to what the namespace's active pods count against it, so `kubectl describe
 * quota` and `kubectl get quota` show "Used / Hard" as on a real cluster. Recomputed when a quota or
 * a pod of the namespace changes; the write is skipped when nothing changed. (Admission itself
 * counts from the pods, so a stale status never lets a pod through.)
 */
import { formatQuantity, namespacePodUsage } from "../api/kinds/resource-quota.ts";
import type { ResourceType } from "../api/resources.ts";
import { keyOf, splitKey, WorkQueue, type Controller, type ControllerContext } from "./controller.ts";

export class ResourceQuotaController implements Controller {
  readonly name = "resourcequota-controller";
  private ctx!: ControllerContext;
  private queue!: WorkQueue;
  private quotaType!: ResourceType;
  private unsubscribe: (() => void) | undefined;

  start(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.quotaType = ctx.rt("ResourceQuota");
    this.queue = new WorkQueue(ctx.clock, (key) => this.sync(key), (key, err) => console.error(`resourcequota: ${key}: ${(err as Error).stack ?? err}`));
    this.unsubscribe = ctx.store.onEvent((e) => {
      if (e.resource === "core/resourcequotas" && e.type !== "DELETED") this.queue.add(keyOf(e.object.metadata.namespace, e.object.metadata.name!));
      else if (e.resource === "core/pods") {
        // Only namespaces that have a quota: most have none, and pods change often.
        for (const q of ctx.store.list(this.quotaType, e.object.metadata.namespace)) this.queue.add(keyOf(q.metadata.namespace, q.metadata.name!));
      }
    });
  }

  stop(): void {
    this.unsubscribe?.();
    this.queue?.stop();
  }

  private sync(key: string): void {
    const { store } = this.ctx;
    const [ns, name] = splitKey(key);
    const q = store.get(this.quotaType, ns, name);
    if (!q) return;
    const hard: Record<string, string> = { ...(q.spec?.hard ?? {}) };
    const usage = namespacePodUsage(store, ns!);
    const used: Record<string, string> = {};
    for (const k of Object.keys(hard)) used[k] = formatQuantity(k, usage[k] ?? 0);
    if (JSON.stringify(q.status?.hard ?? {}) === JSON.stringify(hard) && JSON.stringify(q.status?.used ?? {}) === JSON.stringify(used)) return;
    store.mutate(this.quotaType, ns, name, (o) => {
      o.status = { hard, used };
    }, { subresource: "status" });
  }
}

/**
 * How a starting program finds out whether the server at "host:port" answers — what a database
 * driver's first dial learns: DNS (is there a Service of that name), kube-proxy (does the Service
 * have that port, and a ready endpoint behind it), and, when the only endpoint is still starting,
 * whether it will be up within the driver's dial timeout. Reads the cluster only through the
 * start context's `lookup`, so it sees objects exactly as they are.
 */
import type { KObject } from "../api/types.ts";
import type { ContainerStartContext } from "./catalog.ts";
import type { InstanceTable } from "./instances.ts";

export type Reach = "ready" | "soon" | "unreachable" | "no-such-host";

export type Address = { service: string; namespace: string; port: number };

/** "geo:8083", "geo.hotel-reservation:8083", "geo.hotel-reservation.svc.cluster.local:8083". */
export function parseAddress(addr: string, defaultNamespace: string): Address | undefined {
  const m = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?):(\d{1,5})$/.exec(addr.trim());
  if (!m) return undefined;
  const parts = m[1].split(".");
  if (parts.every((p) => /^\d+$/.test(p))) return undefined; // an IP: not a name a driver resolves through DNS here
  const namespace = parts.length >= 2 && parts[1] !== "svc" ? parts[1] : defaultNamespace;
  return { service: parts[0], namespace, port: Number(m[3]) };
}

/** Waiting reasons after which a container will not be up any time soon. */
const STUCK = new Set(["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError", "InvalidImageName", "ErrImageNeverPull", "RunContainerError"]);

/** Whether a not-yet-ready endpoint pod is on its way up (created, pulling, or running). */
function comingUp(pod: KObject | undefined): boolean {
  if (!pod || pod.metadata.deletionTimestamp || !pod.spec?.nodeName) return false;
  const statuses: any[] = pod.status?.containerStatuses ?? [];
  return statuses.every((s) => !STUCK.has(s?.state?.waiting?.reason) && !s?.state?.terminated);
}

export function reach(ctx: Pick<ContainerStartContext, "lookup">, instances: InstanceTable, addr: string, defaultNamespace: string): Reach {
  const a = parseAddress(addr, defaultNamespace);
  if (!a) return "no-such-host";
  const svc = ctx.lookup("v1", "Service", a.namespace, a.service);
  if (!svc) return "no-such-host";
  const svcPort = (svc.spec?.ports ?? []).find((p: any) => p?.port === a.port);
  if (!svcPort) return "unreachable";
  const ep = ctx.lookup("v1", "Endpoints", a.namespace, a.service);
  let soon = false;
  for (const subset of (ep?.subsets ?? []) as any[]) {
    const port = (subset.ports ?? []).find((p: any) => (p.name ?? "") === (svcPort.name ?? ""));
    if (!port) continue;
    if ((subset.addresses ?? []).length) return "ready";
    for (const nr of (subset.notReadyAddresses ?? []) as any[]) {
      // A process already up answers once its readiness probe passes; a pod still being created
      // is given the benefit of the doubt, as a driver retrying within its dial timeout would.
      const running = nr.targetRef?.uid ? instances.forPod(nr.targetRef.uid) : [];
      const serves = !running.length || running.some((i) => i.ports.includes(port.port));
      if (serves && comingUp(ctx.lookup("v1", "Pod", a.namespace, nr.targetRef?.name))) soon = true;
    }
  }
  return soon ? "soon" : "unreachable";
}

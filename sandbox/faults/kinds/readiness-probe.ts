/**
 * readiness-probe: a Deployment's readiness probe pointed at a port the container does not serve
 * (the neighbouring port, as a copy-paste from a sibling service leaves it), or with `path`, at an
 * HTTP path it does not answer. New pods run but never become Ready ("Readiness probe failed"), so
 * the rollout stalls. Textbook fix: `kubectl rollout undo`, or point the probe at the served port.
 */
import { z } from "zod";
import { change, defineFault } from "../define.ts";
import { FaultError } from "../fault.ts";
import { containerPorts, primaryPort } from "../lookups.ts";
import { currentMain, patchMainContainer } from "../template.ts";

const PROBE_TIMING = { initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };

export const readinessProbe = defineFault({
  kind: "readiness-probe",
  targetKinds: ["Deployment"],
  summary: "readiness probe on a port or path the container does not serve: never Ready",
  truth: { layer: "virtualization", type: "misconfiguration" },
  params: z.object({
    port: z.coerce.number().int().min(1).max(65535).optional(),
    path: z.string().regex(/^\//, "expected an HTTP path starting with /").optional(),
  }),
  paramDocs: { port: "the served port + 1 (tcpSocket)", path: "(none; with a path: httpGet on the served port)" },
  async inject(ctx, deploy, p) {
    const { container } = (await currentMain(ctx, deploy.metadata.namespace!, deploy.metadata.name!))!;
    const served = primaryPort(deploy);
    const declared = new Set(containerPorts(container).map((cp) => cp.containerPort));
    const before = container.readinessProbe;
    const timing = { ...PROBE_TIMING, ...pick(before, Object.keys(PROBE_TIMING)) };
    let probe: Record<string, unknown>;
    let resolved: Record<string, unknown>;
    if (p.path !== undefined) {
      probe = { httpGet: { path: p.path, port: p.port ?? served, scheme: "HTTP" }, ...timing };
      resolved = { path: p.path, port: p.port ?? served };
    } else {
      let port = p.port ?? served + 1;
      if (p.port === undefined) while (declared.has(port)) port++;
      if (declared.has(port)) throw new FaultError("bad-params", `port ${port} is served by container ${container.name}; pick one it does not serve`);
      probe = { tcpSocket: { port }, ...timing };
      resolved = { port };
    }
    await patchMainContainer(ctx, deploy, [{ op: before ? "replace" : "add", path: "/readinessProbe", value: probe }]);
    return { changes: [change("patch", deploy, `container ${container.name} readinessProbe ${describe(before)} -> ${describe(probe)}`)], resolved };
  },
  async check(ctx, target, p) {
    const cur = await currentMain(ctx, target.namespace, target.name);
    if (!cur) return [`Deployment ${target.namespace}/${target.name} is gone`];
    const probe = cur.container.readinessProbe;
    if (!probe) return [];
    const action = probe.tcpSocket ?? probe.httpGet;
    if (!action) return [];
    const ports = containerPorts(cur.container);
    const reaches = typeof action.port === "number" || /^\d+$/.test(String(action.port)) ? Number(action.port) : ports.find((cp) => cp.name === action.port)?.containerPort;
    if (reaches === undefined || !ports.some((cp) => cp.containerPort === reaches)) return [`readiness probe of ${target.name} checks port ${action.port}, which the container does not serve`];
    if (probe.httpGet && p.path !== undefined && probe.httpGet.path === p.path) return [`readiness probe of ${target.name} still checks ${p.path}`];
    return [];
  },
});

function pick(o: Record<string, unknown> | undefined, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([k]) => keys.includes(k)));
}

function describe(probe: any): string {
  if (!probe) return "(none)";
  if (probe.tcpSocket) return `tcpSocket :${probe.tcpSocket.port}`;
  if (probe.httpGet) return `httpGet ${probe.httpGet.path ?? "/"} :${probe.httpGet.port}`;
  if (probe.exec) return `exec ${JSON.stringify(probe.exec.command)}`;
  return JSON.stringify(probe);
}

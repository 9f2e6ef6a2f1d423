/**
 * `set-probe`: replace (or with null, remove) one container's readiness, liveness or startup probe
 * in a Deployment's pod template — the fix for a probe aimed at the wrong port or path, or one so
 * strict it restarts a healthy container. The probe spec is validated as the API server would:
 * exactly one handler, sane timings.
 */
import { z } from "zod";
import { formatRef } from "../../kube/types.ts";
import { show } from "../diff.ts";
import type { ActionDefinition } from "./action.ts";
import { clone, containerIn, deploymentRef, readExisting, replaceIfChanged } from "./common.ts";
import { containerName, namespaceName, objectName } from "./schema.ts";

const port = z.union([z.number().int().min(1).max(65535), z.string().regex(/^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/, "must be a port number or a named port")]);

const probeSpec = z
  .strictObject({
    httpGet: z
      .strictObject({
        path: z.string().optional(),
        port,
        host: z.string().optional(),
        scheme: z.enum(["HTTP", "HTTPS"]).optional(),
        httpHeaders: z.array(z.strictObject({ name: z.string().min(1), value: z.string() })).optional(),
      })
      .optional(),
    tcpSocket: z.strictObject({ port, host: z.string().optional() }).optional(),
    exec: z.strictObject({ command: z.array(z.string()).min(1) }).optional(),
    grpc: z.strictObject({ port: z.number().int().min(1).max(65535), service: z.string().optional() }).optional(),
    initialDelaySeconds: z.number().int().min(0).optional(),
    periodSeconds: z.number().int().min(1).optional(),
    timeoutSeconds: z.number().int().min(1).optional(),
    successThreshold: z.number().int().min(1).optional(),
    failureThreshold: z.number().int().min(1).optional(),
    terminationGracePeriodSeconds: z.number().int().min(1).optional(),
  })
  .refine((s) => [s.httpGet, s.tcpSocket, s.exec, s.grpc].filter(Boolean).length === 1, {
    message: "a probe needs exactly one handler: httpGet, tcpSocket, exec or grpc",
  });

const params = z
  .strictObject({
    namespace: namespaceName,
    name: objectName,
    container: containerName,
    probe: z.enum(["readiness", "liveness", "startup"]),
    spec: probeSpec.nullable(),
  })
  .refine((p) => p.probe === "readiness" || !p.spec || (p.spec.successThreshold ?? 1) === 1, {
    message: "liveness and startup probes must have successThreshold 1",
    path: ["spec", "successThreshold"],
  });
export type SetProbeParams = z.infer<typeof params>;

const field = (p: SetProbeParams) => `${p.probe}Probe` as const;

export const setProbeAction: ActionDefinition<SetProbeParams> = {
  type: "set-probe",
  params,
  risk: "medium",
  describe: (p) =>
    `${p.spec ? "set" : "remove"} the ${p.probe} probe of container ${p.container} in ${formatRef(deploymentRef(p.namespace, p.name))}${p.spec ? ` to ${show(p.spec)}` : ""}`,
  targets: (p) => [deploymentRef(p.namespace, p.name)],
  async apply(p, ctx) {
    const ref = deploymentRef(p.namespace, p.name);
    const current = await readExisting(ctx.client, ref);
    const next = clone(current);
    const c = containerIn(next, p.container);
    const was = c[field(p)];
    if (p.spec) c[field(p)] = p.spec;
    else delete c[field(p)];
    return replaceIfChanged(ctx, current, next, `set-probe ${formatRef(ref)} container ${p.container} ${field(p)} ${show(was)} → ${show(p.spec ?? undefined)}`);
  },
};

/**
 * `update-service`: replace a Service's ports (the full list) and/or its selector — the fix for a
 * Service whose targetPort misses the container's port, or whose selector matches no pod. Fields
 * the server assigns to a port (nodePort) are kept when the same port is listed again.
 */
import { z } from "zod";
import { formatRef, type ObjectRef } from "../../kube/types.ts";
import { show } from "../diff.ts";
import type { ActionDefinition } from "./action.ts";
import { clone, readExisting, replaceIfChanged } from "./common.ts";
import { labelMap, namespaceName, objectName } from "./schema.ts";

const servicePort = z.strictObject({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "must be a lowercase RFC 1123 label").optional(),
  protocol: z.enum(["TCP", "UDP", "SCTP"]).default("TCP"),
  port: z.number().int().min(1).max(65535),
  targetPort: z.union([z.number().int().min(1).max(65535), z.string().regex(/^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/, "must be a port number or a named port (at most 15 characters)")]).optional(),
  nodePort: z.number().int().min(1).max(65535).optional(),
  appProtocol: z.string().optional(),
});

const params = z
  .strictObject({
    namespace: namespaceName,
    name: objectName,
    ports: z
      .array(servicePort)
      .min(1)
      .refine((ps) => ps.length === 1 || ps.every((p) => p.name), "with more than one port, every port needs a name")
      .optional(),
    selector: labelMap.optional(),
  })
  .refine((p) => p.ports !== undefined || p.selector !== undefined, { message: "give ports, selector, or both", path: ["ports"] });
export type UpdateServiceParams = z.infer<typeof params>;
type Port = z.infer<typeof servicePort>;

const ref = (p: UpdateServiceParams): ObjectRef => ({ apiVersion: "v1", kind: "Service", namespace: p.namespace, name: p.name });
const portText = (ps: Port[] | undefined) =>
  ps ? `[${ps.map((p) => `${p.name ? `${p.name}:` : ""}${p.port}→${p.targetPort ?? p.port}/${p.protocol ?? "TCP"}`).join(", ")}]` : "(none)";

export const updateServiceAction: ActionDefinition<UpdateServiceParams> = {
  type: "update-service",
  params,
  risk: "medium",
  describe: (p) =>
    `update ${formatRef(ref(p))}: ${[p.ports && `ports ${portText(p.ports)}`, p.selector && `selector ${show(p.selector)}`].filter(Boolean).join(", ")}`,
  targets: (p) => [ref(p)],
  async apply(p, ctx) {
    const current = await readExisting(ctx.client, ref(p));
    const next = clone(current);
    next.spec ??= {};
    const changes: string[] = [];
    if (p.ports) {
      const old = (current.spec?.ports ?? []) as Port[];
      next.spec.ports = p.ports.map((port) => {
        const same = old.find((o) => o.port === port.port && (o.protocol ?? "TCP") === port.protocol);
        const kept = same?.nodePort !== undefined && port.nodePort === undefined ? { nodePort: same.nodePort } : {};
        return { ...port, ...kept, targetPort: port.targetPort ?? port.port };
      });
      changes.push(`ports ${portText(old)} → ${portText(next.spec.ports)}`);
    }
    if (p.selector) {
      changes.push(`selector ${show(current.spec?.selector)} → ${show(p.selector)}`);
      next.spec.selector = p.selector;
    }
    return replaceIfChanged(ctx, current, next, `update-service ${formatRef(ref(p))} ${changes.join(", ")}`);
  },
};

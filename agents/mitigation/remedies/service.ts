/**
 * Remedies that change a Service: point its targetPort back at the port its pods serve, or its
 * selector back at the labels its pods carry. The Service is read as it is now so every other port
 * entry is kept as it was.
 */
import { ENDPOINTS_WAIT_MS, num, str, waitStep, type RemedyBuilder } from "../remedy.ts";

type Port = { name?: string; protocol?: string; port: number; targetPort?: number | string; nodePort?: number; appProtocol?: string };

export const restoreTargetPort: RemedyBuilder = {
  name: "restore-target-port",
  async build(rc) {
    const name = str(rc.h.facts.service) ?? rc.h.rootCause.name;
    const served = num(rc.h.facts.servedPort);
    const index = num(rc.h.facts.portIndex) ?? 0;
    if (served === undefined) return undefined;
    const svc = await rc.ctx.client.read({ apiVersion: "v1", kind: "Service", namespace: rc.namespace, name });
    const ports = (svc?.spec?.ports ?? []) as Port[];
    if (!ports[index]) return undefined;
    const next = ports.map((p, i) => ({
      ...(p.name ? { name: p.name } : {}),
      protocol: (p.protocol ?? "TCP") as "TCP",
      port: p.port,
      targetPort: i === index ? served : p.targetPort ?? p.port,
      ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
      ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
    }));
    return {
      steps: [{ id: "target-port", action: { type: "update-service", params: { namespace: rc.namespace, name, ports: next } } }],
      rationale: `point Service ${name} port ${ports[index].port} back at port ${served}, which its pods serve`,
    };
  },
};

export const restoreSelector: RemedyBuilder = {
  name: "restore-selector",
  async build(rc) {
    const name = str(rc.h.facts.service) ?? rc.h.rootCause.name;
    const raw = str(rc.h.facts.selector);
    if (!raw) return undefined;
    const selector = JSON.parse(raw) as Record<string, string>;
    return {
      steps: [
        { id: "selector", action: { type: "update-service", params: { namespace: rc.namespace, name, selector } } },
        waitStep("wait-endpoints", { endpointsReady: { namespace: rc.namespace, name } }, ["selector"], ENDPOINTS_WAIT_MS),
      ],
      rationale: `set Service ${name}'s selector back to ${raw}, the labels its pods carry`,
    };
  },
};

/**
 * network-policy-deny: a NetworkPolicy that selects a Service's pods and admits no ingress — what a
 * hardening pass writes when it forgets the allow rules. It is named like an operator's policy
 * (`<service>-ingress`) and carries no labels. Callers' connections time out. Textbook fix: delete
 * the policy (or add an ingress rule that admits the namespace's pods on the service's port).
 */
import { z } from "zod";
import type { KObject } from "../../api/types.ts";
import { change, defineFault } from "../define.ts";
import { FaultError } from "../fault.ts";
import { KubeClient } from "../kube-client.ts";
import { selectorMatches } from "../lookups.ts";

export const networkPolicyDeny = defineFault({
  kind: "network-policy-deny",
  targetKinds: ["Service"],
  summary: "a NetworkPolicy selecting the Service's pods with no ingress rules: connections time out",
  truth: { layer: "network", type: "misconfiguration" },
  params: z.object({ name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "expected a DNS-1123 name").optional() }),
  paramDocs: { name: "<service>-ingress" },
  async inject(ctx, svc, p) {
    const selector: Record<string, string> = svc.spec?.selector ?? {};
    if (!Object.keys(selector).length) throw new FaultError("bad-target", `Service ${svc.metadata.name} has no selector, so no pods to isolate`);
    const name = p.name ?? `${svc.metadata.name}-ingress`;
    const policy: KObject = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name, namespace: svc.metadata.namespace },
      spec: { podSelector: { matchLabels: { ...selector } }, policyTypes: ["Ingress"], ingress: [] },
    };
    await ctx.kube.create(policy);
    return { changes: [change("create", policy, `policy selecting ${JSON.stringify(selector)} with no ingress rules`)], resolved: { name } };
  },
  async check(ctx, target) {
    const svc = await ctx.kube.get(KubeClient.ref("Service", target.namespace, target.name));
    if (!svc) return [`Service ${target.namespace}/${target.name} is gone`];
    const podLabels: Record<string, string> = svc.spec?.selector ?? {};
    const ports = new Set<unknown>((svc.spec?.ports ?? []).flatMap((sp: any) => [sp.targetPort ?? sp.port, sp.port, sp.name]));
    const policies = (await ctx.kube.list("networking.k8s.io/v1", "NetworkPolicy", target.namespace))
      .filter((np) => selectorMatches(np.spec?.podSelector, podLabels) && isIngressPolicy(np));
    if (!policies.length) return [];
    // Isolated pods are reachable if any selecting policy admits the namespace's pods on the port.
    const admitted = policies.some((np) => (np.spec?.ingress ?? []).some((rule: any) => admitsNamespace(rule, target.namespace) && admitsPort(rule, ports)));
    return admitted ? [] : [`NetworkPolicy ${policies.map((np) => np.metadata.name).join(", ")} isolates ${target.name}'s pods and admits no traffic from ${target.namespace} to its port`];
  },
});

const isIngressPolicy = (np: KObject) => {
  const types: string[] | undefined = np.spec?.policyTypes;
  return types ? types.includes("Ingress") : true;
};

function admitsNamespace(rule: any, namespace: string): boolean {
  const from: any[] | undefined = rule.from;
  if (!from || from.length === 0) return true;
  return from.some((peer) => {
    if (peer.ipBlock) return false;
    const nsOk = !peer.namespaceSelector || selectorMatches(peer.namespaceSelector, { "kubernetes.io/metadata.name": namespace });
    // A podSelector admits only some callers; an empty one admits them all.
    const podsOk = !peer.podSelector || (!Object.keys(peer.podSelector.matchLabels ?? {}).length && !(peer.podSelector.matchExpressions ?? []).length);
    return nsOk && podsOk;
  });
}

function admitsPort(rule: any, ports: Set<unknown>): boolean {
  const list: any[] | undefined = rule.ports;
  if (!list || list.length === 0) return true;
  return list.some((p) => p.port === undefined || ports.has(p.port));
}

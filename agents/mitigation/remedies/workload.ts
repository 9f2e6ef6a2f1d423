/**
 * Remedies that change a Deployment: roll back to the last good revision, or the targeted fix of
 * one field of its pod template (image, command, env, memory limit, readiness probe, nodeSelector),
 * scale back to the pre-incident count, or restart it. Each ends with a wait for the rollout, so
 * verification measures the new pods, not the old.
 */
import { num, rolledOut, str, type Draft, type RemedyBuilder, type RemedyContext } from "../remedy.ts";

const deploymentOf = (rc: RemedyContext) => str(rc.h.facts.deployment) ?? (rc.h.rootCause.kind === "Deployment" ? rc.h.rootCause.name : undefined);

function single(rc: RemedyContext, id: string, type: string, params: Record<string, unknown>, rationale: string): Draft | undefined {
  const name = deploymentOf(rc);
  if (!name) return undefined;
  return {
    steps: [{ id, action: { type, params: { namespace: rc.namespace, name, ...params } } }, rolledOut(rc.namespace, name, [id])],
    rationale,
  };
}

export const rolloutUndo: RemedyBuilder = {
  name: "rollout-undo",
  async build(rc) {
    const rev = num(rc.h.facts.previousRevision);
    if (rev === undefined) return undefined;
    return single(rc, "rollback", "rollout-undo", { toRevision: rev }, `revert the change: roll ${deploymentOf(rc)} back to revision ${rev}, the last one before the onset`);
  },
};

export const setImage: RemedyBuilder = {
  name: "set-image",
  async build(rc) {
    const image = str(rc.h.facts.lastGoodImage);
    const container = str(rc.h.facts.container);
    if (!image || !container) return undefined;
    return single(rc, "set-image", "set-image", { container, image }, `set ${container}'s image back to ${image}, the last good one`);
  },
};

export const scaleBack: RemedyBuilder = {
  name: "scale-back",
  async build(rc) {
    const name = deploymentOf(rc);
    const replicas = num(rc.h.facts.preIncidentReplicas) ?? (name ? rc.ctx.baselineReplicas?.get(`${rc.namespace}/${name}`) : undefined);
    if (!replicas) return undefined;
    return single(rc, "scale-back", "scale", { replicas }, `scale ${name} back to ${replicas} replica(s), its count before the incident`);
  },
};

export const raiseMemory: RemedyBuilder = {
  name: "raise-memory",
  async build(rc) {
    const memory = str(rc.h.facts.lastGoodMemoryLimit) ?? str(rc.h.facts.suggestedMemoryLimit);
    const container = str(rc.h.facts.container);
    if (!memory || !container) return undefined;
    return single(rc, "raise-memory", "set-resources", { container, limits: { memory } }, `raise ${container}'s memory limit to ${memory} so it stops being OOMKilled`);
  },
};

export const restoreCommand: RemedyBuilder = {
  name: "restore-command",
  async build(rc) {
    const container = str(rc.h.facts.container);
    const command = parseList(rc.h.facts.lastGoodCommand);
    if (!container || command === undefined) return undefined;
    const args = parseList(rc.h.facts.lastGoodArgs);
    return single(rc, "set-command", "set-command", { container, command, ...(args !== undefined ? { args } : {}) }, `set ${container}'s command back to ${JSON.stringify(command)}`);
  },
};

export const restoreEnv: RemedyBuilder = {
  name: "restore-env",
  async build(rc) {
    const container = str(rc.h.facts.container);
    const name = str(rc.h.facts.envName);
    const value = str(rc.h.facts.lastGoodValue);
    if (!container || !name || value === undefined) return undefined;
    return single(rc, "set-env", "set-env", { container, env: { [name]: value } }, `set ${name} back to ${value}`);
  },
};

export const restoreProbe: RemedyBuilder = {
  name: "restore-probe",
  async build(rc) {
    const container = str(rc.h.facts.container);
    const name = deploymentOf(rc);
    if (!container || !name) return undefined;
    let spec: Record<string, unknown> | undefined;
    const prior = str(rc.h.facts.lastGoodProbe);
    if (prior) spec = probeSpec(JSON.parse(prior));
    else {
      const port = num(rc.h.facts.servedPort);
      const d = await rc.ctx.client.read({ apiVersion: "apps/v1", kind: "Deployment", namespace: rc.namespace, name });
      const current = d?.spec?.template?.spec?.containers?.find((c: { name: string }) => c.name === container)?.readinessProbe;
      if (port === undefined || !current) return undefined;
      const timing = probeSpec(current) ?? {};
      delete timing.httpGet;
      delete timing.exec;
      delete timing.grpc;
      spec = current.httpGet ? { ...timing, httpGet: { ...current.httpGet, port } } : { ...timing, tcpSocket: { port } };
    }
    if (!spec) return undefined;
    return single(rc, "set-probe", "set-probe", { container, probe: "readiness", spec }, `point ${container}'s readiness probe back at what it serves: ${JSON.stringify(spec)}`);
  },
};

export const removeNodeSelector: RemedyBuilder = {
  name: "remove-node-selector",
  async build(rc) {
    const keys = str(rc.h.facts.badNodeSelectorKeys)?.split(",").filter(Boolean);
    if (!keys?.length) return undefined;
    return single(rc, "remove-node-selector", "remove-node-selector", { keys }, `remove nodeSelector ${keys.join(", ")}, which no node satisfies`);
  },
};

export const rolloutRestart: RemedyBuilder = {
  name: "rollout-restart",
  async build(rc) {
    return single(rc, "restart", "rollout-restart", {}, `restart ${deploymentOf(rc)}'s pods (no specific cause found)`);
  },
};

function parseList(v: unknown): string[] | undefined {
  if (typeof v !== "string") return undefined;
  try {
    const a = JSON.parse(v);
    return Array.isArray(a) && a.every((x) => typeof x === "string") ? a : a === null ? [] : undefined;
  } catch {
    return undefined;
  }
}

const PROBE_FIELDS = ["httpGet", "tcpSocket", "exec", "grpc", "initialDelaySeconds", "periodSeconds", "timeoutSeconds", "successThreshold", "failureThreshold", "terminationGracePeriodSeconds"];

/** A probe reduced to the fields the set-probe action accepts. */
function probeSpec(p: unknown): Record<string, unknown> | undefined {
  if (!p || typeof p !== "object") return undefined;
  return Object.fromEntries(Object.entries(p as Record<string, unknown>).filter(([k, v]) => PROBE_FIELDS.includes(k) && v !== undefined));
}

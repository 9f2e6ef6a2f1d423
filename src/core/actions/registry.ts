/**
 * The action vocabulary: every ActionDefinition in one list, and the one door an action comes in
 * by — `parseAction`, which refuses an unknown type (listing the known ones) or a bad field (naming
 * its path) before anything else sees it. Add an action: write its file and append it to ACTIONS.
 */
import { z } from "zod";
import type { ObjectRef } from "../../kube/types.ts";
import type { Action, ActionDefinition, ActionOutcome, ApplyContext, RiskClass } from "./action.ts";
import { cordonAction } from "./cordon.ts";
import { createObjectAction } from "./create-object.ts";
import { deleteObjectAction } from "./delete-object.ts";
import { deletePodAction } from "./delete-pod.ts";
import { execAction } from "./exec.ts";
import { patchAction } from "./patch.ts";
import { removeNodeSelectorAction } from "./remove-node-selector.ts";
import { rolloutRestartAction } from "./rollout-restart.ts";
import { rolloutUndoAction } from "./rollout-undo.ts";
import { scaleAction } from "./scale.ts";
import { formatPath, validationError, zodIssues, type Issue } from "./schema.ts";
import { setCommandAction } from "./set-command.ts";
import { setConfigAction } from "./set-config.ts";
import { setEnvAction } from "./set-env.ts";
import { setImageAction } from "./set-image.ts";
import { setNodeSelectorAction } from "./set-node-selector.ts";
import { setProbeAction } from "./set-probe.ts";
import { setResourcesAction } from "./set-resources.ts";
import { setTaintsAction } from "./set-taints.ts";
import { uncordonAction } from "./uncordon.ts";
import { updateServiceAction } from "./update-service.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyAction = ActionDefinition<any>;

export const ACTIONS: readonly AnyAction[] = [
  scaleAction,
  setImageAction,
  setCommandAction,
  setEnvAction,
  setResourcesAction,
  setProbeAction,
  setNodeSelectorAction,
  removeNodeSelectorAction,
  rolloutUndoAction,
  rolloutRestartAction,
  deletePodAction,
  updateServiceAction,
  setConfigAction,
  createObjectAction,
  deleteObjectAction,
  patchAction,
  cordonAction,
  uncordonAction,
  setTaintsAction,
  execAction,
];

const BY_TYPE = new Map(ACTIONS.map((a) => [a.type, a]));

export const ACTION_TYPES: readonly string[] = ACTIONS.map((a) => a.type);

/** The definition of `type`; throws a ValidationError listing the known types when there is none. */
export function actionDefinition(type: string): AnyAction {
  const def = BY_TYPE.get(type);
  if (!def) throw validationError("invalid action", [unknownTypeIssue(type, "type")]);
  return def;
}

export const isActionType = (type: string) => BY_TYPE.has(type);

const envelope = z.strictObject({ type: z.string().min(1), params: z.unknown().optional() });

/**
 * Validates `{type, params}` and returns it with params parsed (defaults filled in). Throws a
 * ValidationError whose issues name each bad field, under `path` when the action sits inside a
 * larger document (a plan step: ["steps", 2, "action"]).
 */
export function parseAction(input: unknown, path: ReadonlyArray<PropertyKey> = []): Action {
  const what = path.length ? `invalid action at ${formatPath(path)}` : "invalid action";
  const env = envelope.safeParse(input);
  if (!env.success) throw validationError(what, zodIssues(env.error, path));
  const def = BY_TYPE.get(env.data.type);
  if (!def) throw validationError(what, [unknownTypeIssue(env.data.type, formatPath([...path, "type"]))]);
  const r = def.params.safeParse(env.data.params ?? {});
  if (!r.success) {
    const allowed = Object.keys(shapeOf(def) ?? {});
    const issues = zodIssues(r.error, [...path, "params"]).map((i) =>
      i.message.startsWith("unknown field") && allowed.length ? { ...i, message: `${i.message} for ${def.type} (allowed: ${allowed.join(", ")})` } : i,
    );
    throw validationError(`${what} (${def.type})`, issues);
  }
  return { type: def.type, params: r.data as Record<string, unknown> };
}

/** The objects `action` touches (it must have been parsed). */
export const actionTargets = (action: Action): ObjectRef[] => actionDefinition(action.type).targets(action.params);
export const actionRisk = (action: Action): RiskClass => riskOf(actionDefinition(action.type), action.params);
/** An instance's risk: what its definition says of these params, else the definition's class. */
export const riskOf = (def: AnyAction, params: unknown): RiskClass => def.riskOf?.(params) ?? def.risk;
export const describeAction = (action: Action): string => actionDefinition(action.type).describe(action.params);
export const applyAction = (action: Action, ctx: ApplyContext): Promise<ActionOutcome> => actionDefinition(action.type).apply(action.params, ctx);

function shapeOf(def: AnyAction): Record<string, unknown> | undefined {
  const s = def.params as unknown as { shape?: Record<string, unknown> };
  return s.shape;
}

function unknownTypeIssue(type: string, path: string): Issue {
  const near = ACTION_TYPES.filter((t) => editDistance(t, type) <= 2);
  const hint = near.length ? ` (did you mean ${near.map((t) => `"${t}"`).join(" or ")}?)` : "";
  return { path, message: `unknown action type "${type}"${hint}; known types: ${ACTION_TYPES.join(", ")}` };
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}


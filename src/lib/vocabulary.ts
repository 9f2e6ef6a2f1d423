/**
 * The typed action vocabulary as the library offers it: a map from each action's `type` to its
 * params (what `parseAction` returns, defaults filled in), the union of typed actions, and a
 * constructor that checks an action where it is written. The registry (`src/core/actions/`) stays
 * the one place an action is defined; this module only names the types it already has.
 */
import type { Action } from "../core/actions/action.ts";
import type { NodeParams } from "../core/actions/cordon.ts";
import type { CreateObjectParams } from "../core/actions/create-object.ts";
import type { DeleteObjectParams } from "../core/actions/delete-object.ts";
import type { DeletePodParams } from "../core/actions/delete-pod.ts";
import type { PatchParams } from "../core/actions/patch.ts";
import { parseAction } from "../core/actions/registry.ts";
import type { RemoveNodeSelectorParams } from "../core/actions/remove-node-selector.ts";
import type { RolloutRestartParams } from "../core/actions/rollout-restart.ts";
import type { RolloutUndoParams } from "../core/actions/rollout-undo.ts";
import type { ScaleParams } from "../core/actions/scale.ts";
import type { SetCommandParams } from "../core/actions/set-command.ts";
import type { SetConfigParams } from "../core/actions/set-config.ts";
import type { SetEnvParams } from "../core/actions/set-env.ts";
import type { SetImageParams } from "../core/actions/set-image.ts";
import type { SetNodeSelectorParams } from "../core/actions/set-node-selector.ts";
import type { SetProbeParams } from "../core/actions/set-probe.ts";
import type { SetResourcesParams } from "../core/actions/set-resources.ts";
import type { SetTaintsParams } from "../core/actions/set-taints.ts";
import type { UpdateServiceParams } from "../core/actions/update-service.ts";

/** Each action type's params after parsing (defaults filled in). */
export type ActionParams = {
  scale: ScaleParams;
  "set-image": SetImageParams;
  "set-command": SetCommandParams;
  "set-env": SetEnvParams;
  "set-resources": SetResourcesParams;
  "set-probe": SetProbeParams;
  "set-node-selector": SetNodeSelectorParams;
  "remove-node-selector": RemoveNodeSelectorParams;
  "rollout-undo": RolloutUndoParams;
  "rollout-restart": RolloutRestartParams;
  "delete-pod": DeletePodParams;
  "update-service": UpdateServiceParams;
  "set-config": SetConfigParams;
  "create-object": CreateObjectParams;
  "delete-object": DeleteObjectParams;
  patch: PatchParams;
  cordon: NodeParams;
  uncordon: NodeParams;
  "set-taints": SetTaintsParams;
};

/** An action type the typed vocabulary names. */
export type ActionType = keyof ActionParams;

/** One action with its params typed by its `type` (a discriminated union over every ActionType). */
export type TypedAction<T extends ActionType = ActionType> = { [K in T]: { type: K; params: ActionParams[K] } }[T];

/** Every type `ActionParams` names, at run time (a test keeps it in step with the registry). */
export const TYPED_ACTION_TYPES: readonly ActionType[] = [
  "scale", "set-image", "set-command", "set-env", "set-resources", "set-probe", "set-node-selector", "remove-node-selector",
  "rollout-undo", "rollout-restart", "delete-pod", "update-service", "set-config", "create-object", "delete-object", "patch",
  "cordon", "uncordon", "set-taints",
];

/**
 * Builds an action of `type`, validated at once exactly as a plan's actions are (`parseAction`):
 * params may leave out what has a default. Pure. Throws ValidationError (INVALID_INPUT) naming
 * each bad field, or the known types for an unknown one.
 */
export function action<T extends ActionType>(type: T, params: Partial<ActionParams[T]> & Record<string, unknown>): TypedAction<T> {
  return parseAction({ type, params }) as Action as TypedAction<T>;
}

/** Whether `a` (a parsed action, e.g. from a plan step) is of `type`, narrowing its params. Pure. */
export function isAction<T extends ActionType>(a: Action, type: T): a is Action & TypedAction<T> {
  return a.type === type;
}

/**
 * The remedies the embedded mitigation reasoner knows, registered in one list by the names the
 * diagnosis rules use in `facts.remedies`.
 */
import type { RemedyBuilder } from "../remedy.ts";
import { restoreConfig, restoreDbUser, restoreSecret } from "./config.ts";
import { restoreLastGood } from "./history.ts";
import { deleteChaos, deleteNetworkPolicy, recreatePvc } from "./objects.ts";
import { restoreSelector, restoreTargetPort } from "./service.ts";
import { raiseMemory, removeNodeSelector, restoreCommand, restoreEnv, restoreProbe, rolloutRestart, rolloutUndo, scaleBack, setImage } from "./workload.ts";

export const REMEDY_BUILDERS: readonly RemedyBuilder[] = [
  rolloutUndo, setImage, scaleBack, raiseMemory, restoreCommand, restoreEnv, restoreProbe, removeNodeSelector, rolloutRestart,
  restoreTargetPort, restoreSelector,
  restoreConfig, restoreSecret, restoreDbUser,
  deleteNetworkPolicy, deleteChaos, recreatePvc,
  restoreLastGood,
];

export const remedyByName = (name: string): RemedyBuilder | undefined => REMEDY_BUILDERS.find((r) => r.name === name);

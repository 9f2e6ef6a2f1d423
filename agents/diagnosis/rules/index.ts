/**
 * The diagnosis rules, registered in one list (k8sgpt's analyzer map). Add a rule: write its file
 * and append it here. Order does not matter: hypotheses are ranked by confidence.
 */
import type { Rule } from "../rule.ts";
import { badReleaseRule } from "./bad-release.ts";
import { chaosRule } from "./chaos.ts";
import { configParseRule } from "./config-parse.ts";
import { crashLoopRule } from "./crash-loop.ts";
import { dbAuthRule } from "./db-auth.ts";
import { envAddressRule } from "./env-address.ts";
import { imagePullRule } from "./image-pull.ts";
import { networkPolicyRule } from "./network-policy.ts";
import { oomRule } from "./oom.ts";
import { pendingNodeSelectorRule } from "./pending-node-selector.ts";
import { pendingPvcRule } from "./pending-pvc.ts";
import { readinessRule } from "./readiness.ts";
import { recentChangeRule } from "./recent-change.ts";
import { scaledDownRule } from "./scaled-down.ts";
import { selectorRule } from "./selector.ts";
import { servicePortRule } from "./service-port.ts";
import { wrongCommandRule } from "./wrong-command.ts";

export const RULES: readonly Rule[] = [
  servicePortRule,
  selectorRule,
  scaledDownRule,
  imagePullRule,
  crashLoopRule,
  oomRule,
  wrongCommandRule,
  configParseRule,
  envAddressRule,
  dbAuthRule,
  readinessRule,
  pendingNodeSelectorRule,
  pendingPvcRule,
  networkPolicyRule,
  chaosRule,
  badReleaseRule,
  recentChangeRule,
];

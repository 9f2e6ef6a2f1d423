/**
 * The fault catalog: every kind, registered in one list (add a kind: write its file under `kinds/`
 * and add it to FAULTS), the lookups the CLI and the eval runner use, and the types they need.
 * Scenarios name kinds exactly as `spec.kind` here.
 */
import { FaultError, type Fault } from "./fault.ts";
import { apiChange } from "./kinds/api-change.ts";
import { configCorrupt } from "./kinds/config-corrupt.ts";
import { cpuStress } from "./kinds/cpu-stress.ts";
import { dbAuthRevoked } from "./kinds/db-auth-revoked.ts";
import { dbUserDropped } from "./kinds/db-user-dropped.ts";
import { envOverride } from "./kinds/env-override.ts";
import { imageBuggy } from "./kinds/image-buggy.ts";
import { imageMissing } from "./kinds/image-missing.ts";
import { memoryLimit } from "./kinds/memory-limit.ts";
import { networkDelay } from "./kinds/network-delay.ts";
import { networkLoss } from "./kinds/network-loss.ts";
import { networkPolicyDeny } from "./kinds/network-policy-deny.ts";
import { nodeSelector } from "./kinds/node-selector.ts";
import { noiseRestart } from "./kinds/noise-restart.ts";
import { noiseRollout } from "./kinds/noise-rollout.ts";
import { noiseTrafficSpike } from "./kinds/noise-traffic-spike.ts";
import { podKill } from "./kinds/pod-kill.ts";
import { pvcUnbound } from "./kinds/pvc-unbound.ts";
import { readinessProbe } from "./kinds/readiness-probe.ts";
import { scaleZero } from "./kinds/scale-zero.ts";
import { serviceSelector } from "./kinds/service-selector.ts";
import { serviceTargetPort } from "./kinds/service-target-port.ts";
import { wrongCommand } from "./kinds/wrong-command.ts";

export const FAULTS: readonly Fault[] = [
  serviceTargetPort, serviceSelector, scaleZero, nodeSelector, imageMissing, imageBuggy, wrongCommand,
  envOverride, readinessProbe, memoryLimit, dbAuthRevoked, dbUserDropped, configCorrupt, pvcUnbound,
  networkPolicyDeny, networkDelay, networkLoss, cpuStress, podKill,
  noiseRestart, noiseTrafficSpike, noiseRollout, apiChange,
];

export const FAULT_KINDS: readonly string[] = FAULTS.map((f) => f.spec.kind);

/** The fault of a kind; throws FaultError("unknown-kind") listing the kinds there are. */
export function faultByKind(kind: string): Fault {
  const f = FAULTS.find((x) => x.spec.kind === kind);
  if (!f) throw new FaultError("unknown-kind", `unknown fault kind "${kind}"; kinds: ${FAULT_KINDS.join(", ")}`);
  return f;
}

export const isNoise = (f: Fault) => f.spec.truth === "benign";

export {
  FaultError, isFaultError, type Change, type EntityRef, type Fault, type FaultContext, type FaultSpec, type FaultTarget,
  type FaultType, type GroundTruth, type InjectionRecord, type Layer, type OracleVerdict, type PreflightProblem, type PreflightStep, type TargetKind, type WorkloadProbe,
} from "./fault.ts";
export { createFaultContext } from "./context.ts";
export { httpWorkloadProbe } from "./workload-probe.ts";
export { KubeClient, KubeApiError } from "./kube-client.ts";
export { CONTAINER_KILL_PATH } from "./chaos-daemon.ts";

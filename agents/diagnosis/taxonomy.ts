/**
 * The fault taxonomy the rules answer in: for each kind of finding, its layer and fault type, as
 * the fault catalog's ground truth classifies the same failure (application | virtualization |
 * network | storage; misconfiguration | operation-error | authentication | dependency |
 * code-defect | resource). One table, so the convention is changed in one place. The finding names
 * describe what is seen, not what any injector did.
 */
import type { FaultType, Layer } from "../../src/incident/types.ts";

export type Finding =
  | "service-port-mismatch"
  | "service-selector-mismatch"
  | "scaled-down"
  | "unschedulable-node-selector"
  | "image-unpullable"
  | "bad-release"
  | "wrong-command"
  | "bad-address-env"
  | "readiness-probe-mismatch"
  | "oom-killed"
  | "db-credentials-rejected"
  | "config-unparsable"
  | "pvc-unbound"
  | "network-policy-blocks"
  | "network-chaos"
  | "stress-chaos"
  | "crash-loop"
  | "dependency-unavailable";

export const TAXONOMY: Record<Finding, { layer: Layer; type: FaultType }> = {
  "service-port-mismatch": { layer: "virtualization", type: "misconfiguration" },
  "service-selector-mismatch": { layer: "virtualization", type: "misconfiguration" },
  "scaled-down": { layer: "virtualization", type: "operation-error" },
  "unschedulable-node-selector": { layer: "virtualization", type: "misconfiguration" },
  "image-unpullable": { layer: "virtualization", type: "misconfiguration" },
  "bad-release": { layer: "application", type: "code-defect" },
  "wrong-command": { layer: "application", type: "misconfiguration" },
  "bad-address-env": { layer: "application", type: "misconfiguration" },
  "readiness-probe-mismatch": { layer: "virtualization", type: "misconfiguration" },
  "oom-killed": { layer: "virtualization", type: "resource" },
  "db-credentials-rejected": { layer: "application", type: "authentication" },
  "config-unparsable": { layer: "application", type: "misconfiguration" },
  "pvc-unbound": { layer: "storage", type: "misconfiguration" },
  "network-policy-blocks": { layer: "network", type: "misconfiguration" },
  "network-chaos": { layer: "network", type: "operation-error" },
  "stress-chaos": { layer: "virtualization", type: "resource" },
  "crash-loop": { layer: "application", type: "code-defect" },
  "dependency-unavailable": { layer: "virtualization", type: "operation-error" },
};

/**
 * Node: the `kubectl get nodes` columns — STATUS from the Ready condition (Ready, NotReady or
 * Unknown, plus SchedulingDisabled when cordoned), ROLES from node-role.kubernetes.io/* labels,
 * VERSION from the kubelet, and with -o wide the addresses, OS image, kernel and runtime — and
 * status.allocatable defaulting to capacity as the API server does.
 */
import { age } from "../table.ts";
import type { KObject } from "../types.ts";
import type { KindBehaviour } from "./kind.ts";
import { AGE_COLUMN, col, isObject, NAME_COLUMN } from "./common.ts";

export const nodeKind: KindBehaviour = {
  group: "",
  kind: "Node",
  default(obj) {
    if (!isObject(obj.spec)) obj.spec = {};
    if (obj.spec.podCIDR && !Array.isArray(obj.spec.podCIDRs)) obj.spec.podCIDRs = [obj.spec.podCIDR];
    if (isObject(obj.status) && isObject(obj.status.capacity) && !isObject(obj.status.allocatable)) obj.status.allocatable = { ...obj.status.capacity };
  },
  table: {
    columns: [
      NAME_COLUMN,
      col("Status", "string", false, "The status of the node"),
      col("Roles", "string", false, "The roles of the node"),
      AGE_COLUMN,
      col("Version", "string", false, "Kubelet Version reported by the node."),
      col("Internal-IP", "string", true, "List of addresses reachable to the node. Queried from cloud provider, if available."),
      col("External-IP", "string", true, "List of addresses reachable to the node. Queried from cloud provider, if available."),
      col("OS-Image", "string", true, "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."),
      col("Kernel-Version", "string", true, "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
      col("Container-Runtime", "string", true, "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2)."),
    ],
    cells(node, now) {
      const info = node.status?.nodeInfo ?? {};
      return [
        node.metadata.name, nodeStatus(node), nodeRoles(node).join(",") || "<none>", age(node.metadata.creationTimestamp, now), info.kubeletVersion ?? "",
        address(node, "InternalIP"), address(node, "ExternalIP"), info.osImage || "<unknown>", info.kernelVersion || "<unknown>", info.containerRuntimeVersion || "<unknown>",
      ];
    },
  },
};

/** STATUS as kubectl prints it: "Ready", "NotReady", "Unknown", with ",SchedulingDisabled" when cordoned. */
export function nodeStatus(node: KObject): string {
  const ready = (node.status?.conditions ?? []).find((c: any) => c?.type === "Ready");
  const parts = [ready ? (ready.status === "True" ? "Ready" : "NotReady") : "Unknown"];
  if (node.spec?.unschedulable) parts.push("SchedulingDisabled");
  return parts.join(",");
}

/** Roles from `node-role.kubernetes.io/<role>` label keys and the `kubernetes.io/role` label, sorted. */
export function nodeRoles(node: KObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith("node-role.kubernetes.io/") && k.length > "node-role.kubernetes.io/".length) roles.add(k.slice("node-role.kubernetes.io/".length));
    else if (k === "kubernetes.io/role" && v) roles.add(v);
  }
  return [...roles].sort();
}

function address(node: KObject, type: string): string {
  return (node.status?.addresses ?? []).find((a: any) => a?.type === type)?.address || "<none>";
}

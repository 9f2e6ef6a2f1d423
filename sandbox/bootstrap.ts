/**
 * What a fresh small cluster has before anyone deploys to it: the system namespaces, three Ready
 * worker nodes (`node-1`..`node-3`), and a default StorageClass that provisions volumes.
 */
import type { ObjectStore } from "./api/store.ts";
import type { ResourceRegistry } from "./api/resources.ts";

export const NODE_COUNT = 3;
export const NODE_CAPACITY = { cpu: "4", memory: "16Gi", pods: "110", "ephemeral-storage": "100Gi" };
export const DEFAULT_STORAGE_CLASS = "standard";

export function bootstrapCluster(store: ObjectStore, registry: ResourceRegistry, nodeCount = NODE_COUNT): void {
  const ns = registry.find("", "v1", "namespaces")!;
  for (const name of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
    store.create(ns, { apiVersion: "v1", kind: "Namespace", metadata: { name } });
  }
  const nodes = registry.find("", "v1", "nodes")!;
  for (let i = 1; i <= nodeCount; i++) {
    const name = `node-${i}`;
    store.create(nodes, {
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name,
        labels: {
          "kubernetes.io/hostname": name,
          "kubernetes.io/os": "linux",
          "kubernetes.io/arch": "amd64",
          "node-role.kubernetes.io/worker": "",
          "topology.kubernetes.io/zone": `zone-${String.fromCharCode(97 + ((i - 1) % 3))}`,
        },
      },
      spec: { podCIDR: `10.244.${i}.0/24` },
    });
    store.mutate(nodes, undefined, name, (n) => {
      const now = new Date(store.clock.now()).toISOString().replace(/\.\d+Z$/, "Z");
      n.status = {
        capacity: NODE_CAPACITY,
        allocatable: { cpu: "3800m", memory: "15Gi", pods: "110", "ephemeral-storage": "95Gi" },
        conditions: [
          { type: "MemoryPressure", status: "False", reason: "KubeletHasSufficientMemory", message: "kubelet has sufficient memory available", lastHeartbeatTime: now, lastTransitionTime: now },
          { type: "DiskPressure", status: "False", reason: "KubeletHasNoDiskPressure", message: "kubelet has no disk pressure", lastHeartbeatTime: now, lastTransitionTime: now },
          { type: "PIDPressure", status: "False", reason: "KubeletHasSufficientPID", message: "kubelet has sufficient PID available", lastHeartbeatTime: now, lastTransitionTime: now },
          { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: now, lastTransitionTime: now },
        ],
        addresses: [
          { type: "InternalIP", address: `172.18.0.${i + 1}` },
          { type: "Hostname", address: name },
        ],
        nodeInfo: {
          kubeletVersion: "v1.32.0",
          kubeProxyVersion: "v1.32.0",
          containerRuntimeVersion: "containerd://1.7.24",
          operatingSystem: "linux",
          architecture: "amd64",
          osImage: "Debian GNU/Linux 12 (bookworm)",
          kernelVersion: "6.1.0-28-amd64",
          machineID: `${i}`.padStart(32, "0"),
          systemUUID: `00000000-0000-0000-0000-${`${i}`.padStart(12, "0")}`,
          bootID: `00000000-0000-0000-0000-${`${i}`.padStart(12, "0")}`,
        },
      };
    }, { subresource: "status" });
  }
  const sc = registry.find("storage.k8s.io", "v1", "storageclasses")!;
  store.create(sc, {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: DEFAULT_STORAGE_CLASS, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
    provisioner: "rancher.io/local-path",
    reclaimPolicy: "Delete",
    volumeBindingMode: "Immediate",
  });
}

/**
 * The control loops the sandbox runs, registered in one list, and the services they expose to the
 * API server (container logs). Add a controller: write its file and add it to `createControllers`.
 */
import type { ImageCatalog } from "../images/catalog.ts";
import { ContainerLogs } from "./container-logs.ts";
import type { Controller } from "./controller.ts";
import { DeploymentController } from "./deployment.ts";
import { ReplicaSetController } from "./replicaset.ts";
import { ResourceQuotaController } from "./resource-quota.ts";
import { CronJobController } from "./cron-job.ts";
import { HorizontalPodAutoscalerController } from "./horizontal-pod-autoscaler.ts";
import { JobController } from "./job.ts";
import { EndpointsController } from "./endpoints.ts";
import { Kubelet } from "./kubelet.ts";
import { Scheduler } from "./scheduler.ts";
import { VolumeBinder } from "./volume-binder.ts";

/** `logs` serves pods/log and takes lines from the workload layer (`append`). */
export type ControllerSet = { controllers: Controller[]; logs: ContainerLogs };

export function createControllers(opts: { images: ImageCatalog }): ControllerSet {
  const logs = new ContainerLogs();
  const controllers: Controller[] = [
    new DeploymentController(), new ReplicaSetController(),
    new VolumeBinder(), new Scheduler(), new Kubelet(opts.images, logs), new EndpointsController(),
    new ResourceQuotaController(), new JobController(), new CronJobController(), new HorizontalPodAutoscalerController(),
  ];
  return {
    controllers,
    logs,
  };
}

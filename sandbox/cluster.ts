/**
 * A whole simulated cluster in one object: registry, store, admission, controllers, images and
 * the HTTP API server on 127.0.0.1. `startSandbox()` is what `stratus sandbox up`, the evals and
 * the integration tests use; everything outside reaches the cluster only through `url`.
 */
import { createAdmission } from "./api/admission.ts";
import { ApiAuth, bootstrapPolicy, type AuthOptions } from "./api/auth/index.ts";
import { API_AUDIENCE, DEFAULT_EXPIRATION_SECONDS } from "./api/auth/service-account-tokens.ts";
import { kindMap } from "./api/kinds/index.ts";
import { ResourceRegistry, type CustomResourceSpec, type ResourceType } from "./api/resources.ts";
import { startApiServer, type ExtraRoute, type RunningApiServer, type TlsOptions, type WriteInterceptor } from "./api/server.ts";
import { ObjectStore } from "./api/store.ts";
import { ApiFaults } from "./api-faults.ts";
import { deployApp, getApp } from "./apps/index.ts";
import { bootstrapCluster, NODE_COUNT } from "./bootstrap.ts";
import { RealClock, type Clock } from "./clock.ts";
import type { ContainerLogs } from "./controllers/container-logs.ts";
import type { Controller, ControllerContext } from "./controllers/controller.ts";
import { EventRecorder } from "./controllers/events.ts";
import { createControllers } from "./controllers/index.ts";
import { Kubelet } from "./controllers/kubelet.ts";
import { containerKillRoute } from "./faults/chaos-daemon.ts";
import { ImageCatalog, type ImageEntry } from "./images/catalog.ts";
import { genericImage } from "./images/generic.ts";
import { appImages, BASE_IMAGES } from "./images/index.ts";
import { InstanceTable } from "./images/instances.ts";
import { kubeconfigYaml, writeKubeconfig } from "./kubeconfig.ts";
import { seededRandom } from "./random.ts";
import { clockRoute } from "./twin/clock-route.ts";
import { CHAOS_RESOURCES, Workload, workloadRoutes, type RunOptions, type WorkloadOptions } from "./workload/index.ts";

export type SandboxOptions = {
  clock?: Clock;
  port?: number;
  seed?: number;
  nodes?: number;
  images?: ImageEntry[];
  customResources?: CustomResourceSpec[];
  routes?: ExtraRoute[];
  interceptWrite?: WriteInterceptor;
  historySize?: number;
  /** Apps to deploy at start (e.g. ["hotel-reservation"]); each gets a load generator. */
  apps?: string[];
  /** The load generator's tick and jitter, and the rate for the apps deployed at start. */
  workload?: WorkloadOptions & { rate?: number };
  /** Extra bearer tokens (a token file): each names a user and its groups, authorized by RBAC. */
  auth?: AuthOptions;
  /**
   * The certificate and key (PEM) of the API's HTTPS side, and the CA that signed it (kubeconfigs
   * carry it); without it the sandbox mints a self-signed one at start (`sandbox.caPem`).
   */
  tls?: TlsOptions;
  /**
   * A twin: images the sandbox has no model for run the generic model (sandbox/images/generic.ts)
   * instead of failing to pull, because a twin holds a copy of someone else's workloads.
   */
  twin?: boolean;
};

export class Sandbox {
  private constructor(
    readonly clock: Clock,
    readonly registry: ResourceRegistry,
    readonly store: ObjectStore,
    readonly images: ImageCatalog,
    readonly context: ControllerContext,
    private readonly controllers: Controller[],
    private readonly api: RunningApiServer,
    /** The API-fault switch (off until set). */
    readonly apiFaults: ApiFaults,
    /** Container logs (the workload appends request errors here). */
    readonly logs: ContainerLogs,
    /** Load generator, request propagation and /metrics. */
    readonly workload: Workload,
    /** Authentication (admin and service-account tokens) and RBAC. */
    readonly auth: ApiAuth,
  ) {}

  static async start(opts: SandboxOptions = {}): Promise<Sandbox> {
    const clock = opts.clock ?? new RealClock();
    const random = seededRandom(opts.seed ?? 1);
    const registry = new ResourceRegistry();
    for (const cr of [...CHAOS_RESOURCES, ...(opts.customResources ?? [])]) registry.registerCustom(cr);
    const kinds = kindMap();
    const store = new ObjectStore({ clock, registry, admission: createAdmission(kinds), historySize: opts.historySize, random });
    bootstrapCluster(store, registry, opts.nodes ?? NODE_COUNT);
    bootstrapPolicy(store, registry);
    const auth = new ApiAuth(store, registry, clock, opts.auth);

    const instances = new InstanceTable();
    const images = new ImageCatalog([...BASE_IMAGES, ...appImages(instances), ...(opts.images ?? [])], opts.twin ? genericImage : undefined);
    const rt = (kind: string, group?: string): ResourceType => {
      const found = registry.all().find((t) => t.kind === kind && (group === undefined ? t.group !== "events.k8s.io" : t.group === group));
      if (!found) throw new Error(`no resource type for kind ${kind}`);
      return found;
    };
    const events = new EventRecorder(store, clock, rt("Event", ""));
    const context: ControllerContext = { store, clock, registry, events, random, rt };
    const set = createControllers({ images });
    for (const c of set.controllers) c.start(context);

    // Fault decisions get their own seeded stream so switching them on does not shift other randomness.
    const apiFaults = new ApiFaults(seededRandom((opts.seed ?? 1) ^ 0x5eed));
    // The workload too: traffic jitter must not shift names and uids.
    const workload = new Workload({ store, clock, logs: set.logs, instances, random: seededRandom((opts.seed ?? 1) ^ 0x10ad) }, opts.workload);
    const intercept = opts.interceptWrite ?? apiFaults.intercept;
    const api = await startApiServer({
      store, registry, kinds, logs: set.logs, routes: [apiFaults.route, clockRoute(clock, () => auth.adminToken), ...chaosDaemon(set.controllers), ...workloadRoutes(workload), ...(opts.routes ?? [])], interceptWrite: intercept, port: opts.port,
      auth, tls: opts.tls,
    });
    const sandbox = new Sandbox(clock, registry, store, images, context, set.controllers, api, apiFaults, set.logs, workload, auth);
    for (const app of opts.apps ?? []) sandbox.deployApp(app, { rate: opts.workload?.rate });
    return sandbox;
  }

  /**
   * Deploys an app (`kubectl apply` of its manifests) and runs its load generator, which starts
   * sending once the app is up. Throws for an unknown app name.
   */
  deployApp(name: string, opts: RunOptions = {}): void {
    const app = getApp(name);
    deployApp(this.store, app);
    this.workload.run(app, opts);
  }

  /** Plain HTTP: /metrics, /sandbox/v1 control endpoints, and API calls that send their own token. */
  get url(): string {
    return this.api.url;
  }

  /** The API over HTTPS on the same port: what kubeconfigs name (kubectl sends credentials only over TLS). */
  get secureUrl(): string {
    return this.api.secureUrl;
  }

  /** The PEM certificate that verifies `secureUrl` (ca.crt for in-cluster clients). */
  get caPem(): string {
    return this.api.caPem;
  }

  get port(): number {
    return this.api.port;
  }

  /** The bearer token of the cluster admin (system:masters), as in the kubeconfig. */
  get adminToken(): string {
    return this.auth.adminToken;
  }

  /**
   * A bound token for ServiceAccount NAMESPACE/NAME, as `kubectl create token` gets one (the
   * account must exist; deleting it revokes the token).
   */
  createToken(namespace: string, name: string, opts: { expirationSeconds?: number; audiences?: string[] } = {}): string {
    const sa = this.store.require(this.registry.find("", "v1", "serviceaccounts")!, namespace, name);
    return this.auth.tokens.issue(sa, opts.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS, opts.audiences ?? [API_AUDIENCE]).token;
  }

  /** A kubeconfig that authenticates with `token` (the admin's by default). */
  kubeconfig(namespace?: string, token = this.adminToken): string {
    return kubeconfigYaml({ server: this.api.secureUrl, token, namespace, caPem: this.caPem });
  }

  writeKubeconfig(file: string, token = this.adminToken): void {
    writeKubeconfig(file, { server: this.api.secureUrl, token, caPem: this.caPem });
  }

  async close(): Promise<void> {
    this.workload.stop();
    for (const c of this.controllers) c.stop();
    await this.api.close();
  }
}

/** The container-kill endpoint a chaos tool uses, served when the cluster runs a kubelet. */
function chaosDaemon(controllers: Controller[]): ExtraRoute[] {
  const kubelet = controllers.find((c): c is Kubelet => c instanceof Kubelet);
  return kubelet ? [containerKillRoute(kubelet)] : [];
}

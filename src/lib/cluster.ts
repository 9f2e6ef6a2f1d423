/**
 * What every public entry point needs to reach a cluster, parsed once at the library's boundary:
 * which kubeconfig (a file, `$KUBECONFIG`, `~/.kube/config` or the pod's ServiceAccount — the
 * CLI's own search, `findKubeConfig`), which context, and which clock waits and timestamps (a
 * sped-up sandbox's clock, or the system's). Internal to src/lib: not exported from any entry.
 */
import { z } from "zod";
import { systemClock, type Clock } from "../base/clock.ts";
import { ValidationError } from "../base/errors.ts";
import { KubeClient, findKubeConfig } from "../kube/kube-client.ts";

/** A clock as the core uses it: epoch milliseconds, and a wait in the same time. */
export const clockSchema = z.custom<Clock>(
  (v) => typeof v === "object" && v !== null && typeof (v as Clock).now === "function" && typeof (v as Clock).sleep === "function",
  "expected a clock: an object with now(): number and sleep(ms): Promise<void>",
);

/** An option that must be a function (a seam: sink, approver, factory). */
export const fnSchema = <T>(what: string) => z.custom<T>((v) => typeof v === "function", `expected ${what} (a function)`);
/** An option that must be an object built elsewhere (a Policy, a Reasoner). */
export const objectSchema = <T>(what: string) => z.custom<T>((v) => typeof v === "object" && v !== null, `expected ${what}`);

export const clusterOptionsSchema = z.object({
  /** A kubeconfig file; absent = $KUBECONFIG, else ~/.kube/config, else the pod's ServiceAccount. */
  kubeconfig: z.string().min(1).optional(),
  /** A context of that kubeconfig; absent = its current context. */
  context: z.string().min(1).optional(),
  /** The clock to wait and timestamp in; absent = the system clock. */
  clock: clockSchema.optional(),
});
export type ClusterOptions = z.input<typeof clusterOptionsSchema>;

/** Parses `input` with `schema`, throwing one ValidationError that names every bad field under `what`. */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.map(String).join(".") || "(options)", message: i.message }));
  throw new ValidationError(`invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
}

/** The client and clock for parsed cluster options. Throws StratusError KUBECONFIG when no cluster is configured. */
export function connect(o: z.output<typeof clusterOptionsSchema>): { kc: ReturnType<typeof findKubeConfig>["kc"]; client: KubeClient; clock: Clock } {
  const { kc } = findKubeConfig({ kubeconfig: o.kubeconfig, context: o.context });
  const clock = o.clock ?? systemClock;
  return { kc, client: new KubeClient(kc, { clock }), clock };
}

/**
 * `stratus sandbox faults` lists the fault catalog; `stratus sandbox inject KIND --target Kind/name`
 * injects one fault into a running sandbox (or any cluster), found through its kubeconfig. The
 * injection goes through the Kubernetes API only, as an operator or a chaos tool would; what it
 * changed is printed for the person who asked, and nothing in the cluster says so.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  createFaultContext, FAULTS, faultByKind, isFaultError, KubeClient, type Fault, type FaultTarget,
} from "../../../sandbox/faults/index.ts";
import { parse as parseYaml } from "yaml";
import { UsageError, type Io } from "../io.ts";

export const DEFAULT_FAULT_KUBECONFIG = "./sandbox.kubeconfig";

export const FAULTS_USAGE = `Usage: stratus sandbox faults [KIND]

Lists the fault catalog: kind, what it targets, its ground truth (layer/type), what it breaks.
With KIND, shows that kind's params and their defaults.`;

export const INJECT_USAGE = `Usage: stratus sandbox inject KIND --target Kind/name [--namespace NS] [--param k=v]... [--kubeconfig FILE]

Injects one fault from the catalog (see: stratus sandbox faults) into a running sandbox.
  --target Kind/name   the object to break, e.g. Service/rate or Deployment/geo
  --namespace NS       its namespace (default: the one namespace that has it)
  --param k=v          a param of the kind (repeatable; see: stratus sandbox faults KIND)
  --param-file [k=]FILE  a param's value read from a JSON or YAML file (api-change: without k,
                       the file is the patch, or the manifest with --param op=create)
  --kubeconfig FILE    the cluster (default ${DEFAULT_FAULT_KUBECONFIG}, written by stratus sandbox up)`;

const TARGET_KINDS: Record<string, string> = {
  deployment: "Deployment", deployments: "Deployment", deploy: "Deployment",
  service: "Service", services: "Service", svc: "Service",
};

export async function sandboxFaultsCommand(sub: "faults" | "inject", argv: string[], io: Io): Promise<number> {
  return sub === "faults" ? listFaults(argv, io) : inject(argv, io);
}

function listFaults(argv: string[], io: Io): number {
  const { values, positionals } = parseArgs({ args: argv, options: { help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
  if (values.help) {
    io.out(FAULTS_USAGE);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`expected at most one KIND, got ${positionals.join(" ")}`);
  if (positionals[0]) {
    io.out(describeKind(kindOrUsage(positionals[0])));
    return 0;
  }
  const rows = FAULTS.map((f) => [f.spec.kind, f.spec.targetKinds.join("|"), truthOf(f), f.spec.summary]);
  io.out(table(["KIND", "TARGET", "GROUND TRUTH", "WHAT IT BREAKS"], rows));
  return 0;
}

async function inject(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      target: { type: "string" },
      namespace: { type: "string", short: "n" },
      param: { type: "string", multiple: true },
      "param-file": { type: "string", multiple: true },
      kubeconfig: { type: "string", default: DEFAULT_FAULT_KUBECONFIG },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(INJECT_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one fault KIND, got ${positionals.length ? positionals.join(" ") : "none"} (kinds: stratus sandbox faults)`);
  const fault = kindOrUsage(positionals[0]);
  if (!values.target) throw new UsageError(`--target Kind/name is required, e.g. --target ${fault.spec.targetKinds[0]}/NAME`);
  const { kind, name } = parseTarget(values.target, fault);
  const params: Record<string, unknown> = parseParamFlags(values.param ?? []);
  for (const f of values["param-file"] ?? []) {
    const eq = f.indexOf("=");
    const key = eq > 0 ? f.slice(0, eq) : params.op === "create" ? "manifest" : "patch";
    const path = eq > 0 ? f.slice(eq + 1) : f;
    if (key in params) throw new UsageError(`--param-file: param ${key} given twice`);
    try {
      params[key] = parseYaml(readFileSync(path, "utf8"));
    } catch (e) {
      throw new UsageError(`--param-file ${f}: cannot read ${path} as JSON or YAML: ${(e as Error).message}`);
    }
  }
  // Params are checked before the cluster is touched: groundTruth validates them and is pure.
  try {
    fault.groundTruth({ kind, name, namespace: values.namespace ?? "default" }, params);
  } catch (e) {
    if (isFaultError(e)) throw new UsageError(`${e.message}\n\n${describeKind(fault)}`);
    throw e;
  }

  const file = resolve(values.kubeconfig!);
  if (!existsSync(file)) throw new Error(`no kubeconfig at ${file}: start a sandbox with \`stratus sandbox up\` or pass --kubeconfig FILE`);
  const ctx = createFaultContext({ kubeconfig: file });
  const namespace = values.namespace ?? (await findNamespace(ctx.kube, kind, name));
  const target: FaultTarget = { kind, name, namespace };
  try {
    const record = await fault.inject(ctx, target, params);
    io.out(`injected ${record.kind} into ${kind} ${namespace}/${name} at ${record.at}`);
    for (const c of record.changes) io.out(`  ${c.verb} ${c.object.kind} ${c.object.namespace ? `${c.object.namespace}/` : ""}${c.object.name}: ${c.detail}`);
    const truth = fault.groundTruth(target, params);
    io.out(truth.benign ? `  ground truth: benign (${truth.note})` : `  ground truth: ${truth.entity.kind}/${truth.entity.name}, ${truth.layer}/${truth.type}`);
    return 0;
  } catch (e) {
    if (isFaultError(e) && (e.code === "bad-params" || e.code === "bad-target")) throw new UsageError(e.message);
    throw e;
  }
}

function kindOrUsage(kind: string): Fault {
  try {
    return faultByKind(kind);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function parseTarget(raw: string, fault: Fault): { kind: string; name: string } {
  const m = /^([A-Za-z]+)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(raw);
  if (!m) throw new UsageError(`--target must be Kind/name, e.g. ${fault.spec.targetKinds[0]}/geo; got "${raw}"`);
  const kind = TARGET_KINDS[m[1].toLowerCase()] ?? m[1];
  if (!fault.spec.targetKinds.includes(kind as never)) {
    throw new UsageError(`${fault.spec.kind} targets a ${fault.spec.targetKinds.join(" or ")}, not a ${kind}: use --target ${fault.spec.targetKinds[0]}/NAME`);
  }
  return { kind, name: m[2] };
}

function parseParamFlags(flags: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of flags) {
    const eq = f.indexOf("=");
    if (eq <= 0) throw new UsageError(`--param must be key=value, got "${f}"`);
    const key = f.slice(0, eq);
    if (key in out) throw new UsageError(`--param ${key} given twice`);
    out[key] = f.slice(eq + 1);
  }
  return out;
}

/** The one namespace that has Kind/name; a usage error when none or several do. */
async function findNamespace(kube: KubeClient, kind: string, name: string): Promise<string> {
  const ref = KubeClient.ref(kind, undefined, name);
  const found = await kube.list(ref.apiVersion, kind, undefined, { fieldSelector: `metadata.name=${name}` });
  const namespaces = [...new Set(found.map((o) => o.metadata.namespace!))];
  if (namespaces.length === 1) return namespaces[0];
  if (!namespaces.length) throw new Error(`${kind} ${name} not found in any namespace; list them with: kubectl get ${kind.toLowerCase()} -A`);
  throw new UsageError(`${kind} ${name} exists in namespaces ${namespaces.join(", ")}: pass --namespace NS`);
}

const truthOf = (f: Fault) => (f.spec.truth === "benign" ? "benign (noise)" : `${f.spec.truth.layer}/${f.spec.truth.type}`);

function describeKind(f: Fault): string {
  const params = Object.entries(f.spec.params);
  return [
    `${f.spec.kind}: ${f.spec.summary}`,
    `  target:       ${f.spec.targetKinds.join(" or ")}`,
    `  ground truth: ${truthOf(f)}`,
    params.length ? `  params (all optional):\n${params.map(([k, d]) => `    ${k.padEnd(14)} default ${d}`).join("\n")}` : "  params:       none",
  ].join("\n");
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("   ");
  return [line(header), ...rows.map(line)].join("\n");
}

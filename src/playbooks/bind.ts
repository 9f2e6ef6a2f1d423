/**
 * Binding a playbook's params for one diagnosis: each param in declaration order, from its first
 * source that yields a value of the right type — a field of the diagnosis (`target.name`,
 * `facts.previousRevision`, `incident.onsetAt`) or a cluster resolver — else its default; an
 * optional param may stay unbound. A required param that binds from nothing makes the playbook
 * NotApplicable, with every source's reason ("facts.servedPort is absent; correctedServicePorts:
 * every targetPort of Service rate is served"), so the matcher can try the next playbook and a
 * person can see why. Reads only.
 */
import type { LedgerReader } from "../core/ledger/index.ts";
import type { ClusterClient } from "../kube/cluster-client.ts";
import { coerce } from "./coerce.ts";
import { NotApplicable, Unbound } from "./errors.ts";
import { targetNamespace, type PlaybookInput } from "./input.ts";
import { resolverByName } from "./resolvers/index.ts";
import type { ParamSpec, Playbook, Source } from "./schema.ts";
import { render, TemplateError } from "./template.ts";

export type BindContext = {
  /** Without a client, resolver sources are skipped (each says so). */
  client?: ClusterClient;
  ledger?: LedgerReader;
  now?: () => number;
};

export type Binding = {
  params: Record<string, unknown>;
  /** Where each bound param came from: "target.name", "resolve previousRevision", "default", "value". */
  sources: Record<string, string>;
  /** Params marked sensitive: shown as "(hidden)" in plans, the ledger's plan entry and the CLI. */
  sensitive: string[];
};

export async function bindParams(pb: Pick<Playbook, "name" | "params">, input: PlaybookInput, ctx: BindContext = {}): Promise<Binding> {
  const binding: Binding = { params: {}, sources: {}, sensitive: pb.params.filter((p) => p.sensitive).map((p) => p.name) };
  for (const p of pb.params) {
    const got = await bindOne(p, input, binding.params, ctx);
    if ("value" in got) {
      binding.params[p.name] = got.value;
      binding.sources[p.name] = got.source;
    } else if (!p.optional) {
      throw new NotApplicable(pb.name, [`param ${p.name} (${p.type}) could not be bound: ${got.reasons.join("; ") || "no source"}`]);
    }
  }
  return binding;
}

type Bound = { value: unknown; source: string } | { reasons: string[] };

async function bindOne(p: ParamSpec, input: PlaybookInput, bound: Record<string, unknown>, ctx: BindContext): Promise<Bound> {
  const reasons: string[] = [];
  const accept = (raw: unknown, source: string): Bound | undefined => {
    const c = coerce(p.type, raw);
    if ("value" in c) return { value: c.value, source };
    reasons.push(`${source}: ${c.error}`);
    return undefined;
  };
  if (p.value !== undefined) {
    try {
      return accept(render(p.value, bound), "value") ?? { reasons };
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      return { reasons: [`value: ${e.message}`] };
    }
  }
  for (const src of p.from ?? []) {
    const raw = "path" in src ? readPath(input, src.path) : await resolve(src, input, bound, ctx, reasons);
    if ("path" in src && (raw === undefined || raw === null)) reasons.push(`${src.path} is absent`);
    if (raw === undefined || raw === null) continue;
    const ok = accept(raw, "path" in src ? src.path : `resolve ${src.resolve}`);
    if (ok) return ok;
  }
  if (p.default !== undefined) {
    try {
      return accept(render(p.default, bound), "default") ?? { reasons };
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      reasons.push(`default: ${e.message}`);
    }
  }
  return { reasons };
}

async function resolve(src: Extract<Source, { resolve: string }>, input: PlaybookInput, bound: Record<string, unknown>, ctx: BindContext, reasons: string[]): Promise<unknown> {
  const r = resolverByName(src.resolve)!;
  const note = (why: string) => (reasons.push(`${src.resolve}: ${why}`), undefined);
  if (!ctx.client) return note("no cluster to ask (run against a cluster, or give the value in the diagnosis facts)");
  let args: Record<string, unknown>;
  try {
    args = render(src.args, bound) as Record<string, unknown>;
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    return note(e.message);
  }
  const parsed = r.args.safeParse(args);
  if (!parsed.success) return note(`bad arguments: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(args)"}: ${i.message}`).join("; ")}`);
  const a = parsed.data as Record<string, unknown>;
  const namespace = (a.namespace as string | undefined) ?? targetNamespace(input);
  if (!namespace) return note("no namespace: the diagnosis names none for its root cause or incident");
  try {
    return await r.resolve(a, { client: ctx.client, ledger: ctx.ledger, input, namespace, now: (ctx.now ?? Date.now)() });
  } catch (e) {
    if (e instanceof Unbound) return note(e.message);
    // A cluster that cannot be read now is a reason not to act, not a crash.
    return note(`could not read the cluster: ${(e as Error).message}`);
  }
}

/** A value of the diagnosis by path: target.name, facts.X, incident.onsetAt. */
export function readPath(input: PlaybookInput, path: string): unknown {
  const [head, ...rest] = path.split(".");
  const key = rest.join(".");
  if (head === "target") return key === "namespace" ? targetNamespace(input) : (input.rootCause as Record<string, unknown>)[key];
  if (head === "facts") return input.facts?.[key];
  if (head === "incident") return (input.incident as Record<string, unknown> | undefined)?.[key];
  return undefined;
}

/** The bound params with sensitive ones hidden, for plans, the ledger and the terminal. */
export function shownParams(b: Binding): Record<string, unknown> {
  return Object.fromEntries(Object.entries(b.params).map(([k, v]) => [k, b.sensitive.includes(k) ? "(hidden)" : v]));
}

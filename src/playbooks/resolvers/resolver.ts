/**
 * The contract of a param resolver: a named, read-only lookup in the cluster (and the ledger) that
 * binds one playbook param — "the revision before the current one", "the container port the
 * Service's pods serve", "the last good value of this ConfigMap key". A resolver that does not
 * find what it looks for throws `Unbound` with a reason; that is how a playbook finds out it does
 * not fit this cluster, and the matcher tries the next one. One file per area in this folder,
 * registered in `index.ts`.
 */
import { z } from "zod";
import { namespaceName } from "../../core/actions/schema.ts";
import type { LedgerReader } from "../../core/ledger/index.ts";
import type { ClusterClient } from "../../kube/cluster-client.ts";
import type { PlaybookInput } from "../input.ts";

export type ResolveContext = {
  client: ClusterClient;
  /** Where last-good snapshots come from; resolvers that need it fall back to object history without it. */
  ledger?: LedgerReader;
  input: PlaybookInput;
  /** The namespace to look in: the resolver's `namespace` arg, else the target's. */
  namespace: string;
  now: number;
};

export interface Resolver<A = Record<string, unknown>> {
  /** The name a playbook writes after `resolve:`. */
  readonly name: string;
  /** One line for `stratus playbook show` and error messages. */
  readonly description: string;
  /** Strict zod schema of its args (every resolver also takes an optional `namespace`). */
  readonly args: z.ZodType<A>;
  /** Reads only. Throws Unbound with a reason when the cluster does not show what it looks for. */
  resolve(args: A, ctx: ResolveContext): Promise<unknown>;
}

/** A resolver's args schema: its own fields plus the optional `namespace` every resolver takes. */
export function argsSchema<S extends z.ZodRawShape>(shape: S) {
  return z.strictObject({ namespace: namespaceName.optional(), ...shape });
}

export function defineResolver<A>(r: Resolver<A>): Resolver<A> {
  return r;
}

/**
 * Every param resolver in one list, and lookup by name. Add one: write it in the file for its
 * area (or a new one) and append it here.
 */
import { CONFIG_RESOLVERS } from "./config.ts";
import { OBJECT_RESOLVERS } from "./objects.ts";
import type { Resolver } from "./resolver.ts";
import { SERVICE_RESOLVERS } from "./service.ts";
import { STORAGE_RESOLVERS } from "./storage.ts";
import { WORKLOAD_RESOLVERS } from "./workload.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyResolver = Resolver<any>;

export const RESOLVERS: readonly AnyResolver[] = [...WORKLOAD_RESOLVERS, ...SERVICE_RESOLVERS, ...CONFIG_RESOLVERS, ...STORAGE_RESOLVERS, ...OBJECT_RESOLVERS];

const BY_NAME = new Map(RESOLVERS.map((r) => [r.name, r]));

export const resolverByName = (name: string): AnyResolver | undefined => BY_NAME.get(name);
export const RESOLVER_NAMES: readonly string[] = RESOLVERS.map((r) => r.name);

export type { Resolver, ResolveContext } from "./resolver.ts";

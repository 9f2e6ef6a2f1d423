/**
 * What an app is to the sandbox: its namespace, its services (the ones that run code and call
 * others) and stores (MongoDB, memcached, redis), the request types its load generator sends with
 * their mix and call graph, and the manifests an operator applies. The behaviour models
 * (`sandbox/images/`) read the service tables for a binary's compiled-in defaults; the workload
 * (`sandbox/workload/`) reads the request types to walk the call graph. Names follow
 * `sandbox/apps/README.md`, the contract.
 */
import type { KObject } from "../api/types.ts";

/** How a process speaks and logs: DSB hotel's Go/gRPC, social-network's C++/Thrift, or OpenResty. */
export type ServiceRuntime = "go" | "thrift" | "openresty";
export type StoreKind = "mongo" | "memcached" | "redis";

/** A service that runs application code: a Deployment and a Service of the same name. */
export type ServiceSpec = {
  name: string;
  /** The executable in the image (the container command), e.g. "geo" or "ComposePostService". */
  binary: string;
  runtime: ServiceRuntime;
  port: number;
  /** Services it calls, by name: its config.json `callees`. */
  calls: string[];
  /** The MongoDB Service it reads and writes, and the database it uses there. */
  mongo?: string;
  database?: string;
  memcached?: string;
  redis?: string;
  /** Time the service itself spends on one request (before its calls), in ms. */
  latencyMs: number;
  /** HTTP paths it answers (entry services); undefined for RPC-only services. */
  httpPaths?: string[];
};

/** A database or cache: a Deployment and a Service of the same name. */
export type StoreSpec = {
  name: string;
  kind: StoreKind;
  port: number;
  /** MongoDB: the app user and the database its role is on. */
  user?: string;
  database?: string;
  latencyMs: number;
};

/** One kind of request the load generator sends. */
export type RequestType = {
  /** The HTTP path at the entry service, e.g. "/hotels". */
  name: string;
  /** The service the load generator sends it to. */
  entry: string;
  /** Share of all requests (the app's weights sum to 1). */
  weight: number;
  /** For this request type: which services each service calls, in order (stores included). */
  calls: Record<string, string[]>;
};

export type AppDefinition = {
  name: string;
  namespace: string;
  services: ServiceSpec[];
  stores: StoreSpec[];
  requests: RequestType[];
  /** Requests per second the load generator sends by default. */
  defaultRate: number;
  /** The manifests, in the order an operator applies them. */
  manifests(): KObject[];
};

export const MONGO_PORT = 27017;
export const MEMCACHED_PORT = 11211;
export const REDIS_PORT = 6379;

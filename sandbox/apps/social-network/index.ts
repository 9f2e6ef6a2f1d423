/**
 * social-network, DeathStarBench's C++/Thrift social app: eleven Thrift services on one image
 * (`deathstarbench/social-network-microservices`, one binary each), the OpenResty front ends
 * nginx-thrift (the entry) and media-frontend, and their redis, MongoDB and memcached stores, in
 * namespace `social-network`. Call graph and names are the contract in `sandbox/apps/README.md`
 * and issue 3; the request mix is DSB's mixed workload (mostly timeline reads, some posts).
 */
import type { KObject } from "../../api/types.ts";
import { appService, namespace, openrestyService, storeManifests } from "../manifests.ts";
import { MEMCACHED_PORT, MONGO_PORT, REDIS_PORT, type AppDefinition, type ServiceSpec, type StoreSpec } from "../types.ts";

export const SOCIAL_NAMESPACE = "social-network";
export const SOCIAL_IMAGE = "docker.io/deathstarbench/social-network-microservices";
export const SOCIAL_GOOD_TAG = "1.0.0";
export const SOCIAL_BAD_TAG = "1.0.1";
export const NGINX_THRIFT_IMAGE = "docker.io/yg397/openresty-thrift:xenial";
export const MEDIA_FRONTEND_IMAGE = "docker.io/yg397/media-frontend:xenial";
export const THRIFT_PORT = 9090;

/** "compose-post-service" -> "ComposePostService" (the binary's name in the image). */
export const binaryOf = (name: string) =>
  name.replace(/-service$/, "").split("-").map((w) => w[0].toUpperCase() + w.slice(1)).join("") + "Service";

const thrift = (name: string, latencyMs: number, extra: Partial<ServiceSpec> = {}): ServiceSpec => ({
  name, binary: binaryOf(name), runtime: "thrift", port: THRIFT_PORT, calls: [], latencyMs, ...extra,
});

export const SOCIAL_SERVICES: ServiceSpec[] = [
  {
    name: "nginx-thrift", binary: "openresty", runtime: "openresty", port: 8080, latencyMs: 1.0,
    calls: ["compose-post-service", "user-timeline-service", "home-timeline-service", "user-service", "social-graph-service"],
    httpPaths: ["/", "/wrk2-api/post/compose", "/wrk2-api/home-timeline/read", "/wrk2-api/user-timeline/read", "/wrk2-api/user/register", "/wrk2-api/user/follow", "/wrk2-api/user/login"],
  },
  thrift("compose-post-service", 1.5, { calls: ["text-service", "unique-id-service", "media-service", "user-service", "post-storage-service", "user-timeline-service", "home-timeline-service"] }),
  thrift("text-service", 0.8, { calls: ["url-shorten-service", "user-mention-service"] }),
  thrift("unique-id-service", 0.2),
  thrift("media-service", 0.3),
  thrift("user-service", 0.8, { calls: ["social-graph-service"], mongo: "user-mongodb", database: "user", memcached: "user-memcached" }),
  thrift("post-storage-service", 0.8, { mongo: "post-storage-mongodb", database: "post", memcached: "post-storage-memcached" }),
  thrift("user-timeline-service", 1.0, { calls: ["post-storage-service"], mongo: "user-timeline-mongodb", database: "user-timeline", redis: "user-timeline-redis" }),
  thrift("home-timeline-service", 1.0, { calls: ["social-graph-service", "post-storage-service"], redis: "home-timeline-redis" }),
  thrift("social-graph-service", 0.8, { calls: ["user-service"], mongo: "social-graph-mongodb", database: "social-graph", redis: "social-graph-redis" }),
  thrift("url-shorten-service", 0.6, { mongo: "url-shorten-mongodb", database: "url-shorten", memcached: "url-shorten-memcached" }),
  thrift("user-mention-service", 0.6, { mongo: "user-mongodb", database: "user", memcached: "user-memcached" }),
  {
    name: "media-frontend", binary: "openresty", runtime: "openresty", port: 8081, latencyMs: 2.0, calls: [],
    mongo: "media-mongodb", database: "media", httpPaths: ["/", "/upload-media", "/get-media"],
  },
];

const mongoStore = (name: string, user: string, database: string): StoreSpec => ({ name, kind: "mongo", port: MONGO_PORT, user, database, latencyMs: 1.8 });
const redisStore = (name: string): StoreSpec => ({ name, kind: "redis", port: REDIS_PORT, latencyMs: 0.3 });
const memcachedStore = (name: string): StoreSpec => ({ name, kind: "memcached", port: MEMCACHED_PORT, latencyMs: 0.3 });

export const SOCIAL_STORES: StoreSpec[] = [
  redisStore("home-timeline-redis"),
  redisStore("user-timeline-redis"),
  redisStore("social-graph-redis"),
  mongoStore("user-timeline-mongodb", "user-timeline", "user-timeline"),
  mongoStore("social-graph-mongodb", "social-graph", "social-graph"),
  mongoStore("user-mongodb", "user", "user"),
  mongoStore("post-storage-mongodb", "post-storage", "post"),
  mongoStore("url-shorten-mongodb", "url-shorten", "url-shorten"),
  mongoStore("media-mongodb", "media", "media"),
  memcachedStore("user-memcached"),
  memcachedStore("post-storage-memcached"),
  memcachedStore("url-shorten-memcached"),
  memcachedStore("media-memcached"),
];

const POST_READ = ["post-storage-memcached", "post-storage-mongodb"];
const USER_READ = ["user-memcached", "user-mongodb"];

export const socialNetwork: AppDefinition = {
  name: "social-network",
  namespace: SOCIAL_NAMESPACE,
  services: SOCIAL_SERVICES,
  stores: SOCIAL_STORES,
  defaultRate: 50,
  requests: [
    {
      name: "/wrk2-api/home-timeline/read", entry: "nginx-thrift", weight: 0.55,
      calls: { "nginx-thrift": ["home-timeline-service"], "home-timeline-service": ["home-timeline-redis", "post-storage-service"], "post-storage-service": POST_READ },
    },
    {
      name: "/wrk2-api/user-timeline/read", entry: "nginx-thrift", weight: 0.3,
      calls: { "nginx-thrift": ["user-timeline-service"], "user-timeline-service": ["user-timeline-redis", "user-timeline-mongodb", "post-storage-service"], "post-storage-service": POST_READ },
    },
    {
      name: "/wrk2-api/post/compose", entry: "nginx-thrift", weight: 0.1,
      calls: {
        "nginx-thrift": ["compose-post-service"],
        "compose-post-service": ["unique-id-service", "text-service", "media-service", "user-service", "post-storage-service", "user-timeline-service", "home-timeline-service"],
        "text-service": ["url-shorten-service", "user-mention-service"],
        "url-shorten-service": ["url-shorten-memcached", "url-shorten-mongodb"],
        "user-mention-service": USER_READ,
        "user-service": USER_READ,
        "post-storage-service": ["post-storage-mongodb"],
        "user-timeline-service": ["user-timeline-mongodb", "user-timeline-redis"],
        "home-timeline-service": ["social-graph-service", "home-timeline-redis"],
        "social-graph-service": ["social-graph-redis", "social-graph-mongodb"],
      },
    },
    {
      name: "/wrk2-api/user/follow", entry: "nginx-thrift", weight: 0.02,
      calls: { "nginx-thrift": ["social-graph-service"], "social-graph-service": ["user-service", "social-graph-mongodb", "social-graph-redis"], "user-service": USER_READ },
    },
    {
      name: "/wrk2-api/user/login", entry: "nginx-thrift", weight: 0.015,
      calls: { "nginx-thrift": ["user-service"], "user-service": USER_READ },
    },
    {
      name: "/wrk2-api/user/register", entry: "nginx-thrift", weight: 0.005,
      calls: { "nginx-thrift": ["user-service"], "user-service": ["user-mongodb", "social-graph-service"], "social-graph-service": ["social-graph-mongodb"] },
    },
    { name: "/upload-media", entry: "media-frontend", weight: 0.01, calls: { "media-frontend": ["media-mongodb"] } },
  ],
  manifests(): KObject[] {
    const ns = SOCIAL_NAMESPACE;
    const ports = new Map<string, number>([...SOCIAL_SERVICES, ...SOCIAL_STORES].map((s) => [s.name, s.port]));
    const portOf = (n: string) => ports.get(n)!;
    const image = `${SOCIAL_IMAGE}:${SOCIAL_GOOD_TAG}`;
    return [
      namespace(ns),
      ...SOCIAL_STORES.flatMap((s) => storeManifests(ns, s)),
      ...SOCIAL_SERVICES.flatMap((s) => {
        if (s.name === "nginx-thrift") return openrestyService(ns, s, NGINX_THRIFT_IMAGE, portOf);
        if (s.name === "media-frontend") return openrestyService(ns, s, MEDIA_FRONTEND_IMAGE, portOf);
        return appService(ns, s, image, "thrift", portOf);
      }),
    ];
  },
};

/**
 * hotel-reservation, DeathStarBench's Go/gRPC hotel app: eight services on one image
 * (`deathstarbench/hotel-reservation`, one binary per service), six MongoDBs and three memcached,
 * in namespace `hotel-reservation`. Ports, stores, call graph and request mix are the contract in
 * `sandbox/apps/README.md` and issue 3.
 */
import type { KObject } from "../../api/types.ts";
import { appService, namespace, storeManifests } from "../manifests.ts";
import { MEMCACHED_PORT, MONGO_PORT, type AppDefinition, type ServiceSpec, type StoreSpec } from "../types.ts";

export const HOTEL_NAMESPACE = "hotel-reservation";
export const HOTEL_IMAGE = "docker.io/deathstarbench/hotel-reservation";
export const HOTEL_GOOD_TAG = "1.0.0";
export const HOTEL_BAD_TAG = "1.0.1";

const go = (name: string, port: number, latencyMs: number, extra: Partial<ServiceSpec> = {}): ServiceSpec => ({
  name, binary: name, runtime: "go", port, calls: [], latencyMs, ...extra,
});

export const HOTEL_SERVICES: ServiceSpec[] = [
  go("frontend", 5000, 1.5, {
    calls: ["search", "profile", "recommendation", "user", "reservation"],
    httpPaths: ["/", "/hotels", "/recommendations", "/user", "/reservation"],
  }),
  go("search", 8082, 1.2, { calls: ["geo", "rate"] }),
  go("geo", 8083, 1.0, { mongo: "mongodb-geo", database: "geo-db" }),
  go("rate", 8084, 1.2, { mongo: "mongodb-rate", database: "rate-db", memcached: "memcached-rate" }),
  go("profile", 8081, 1.0, { mongo: "mongodb-profile", database: "profile-db", memcached: "memcached-profile" }),
  go("recommendation", 8085, 1.5, { mongo: "mongodb-recommendation", database: "recommendation-db" }),
  go("user", 8086, 0.6, { mongo: "mongodb-user", database: "user-db" }),
  go("reservation", 8087, 2.0, { mongo: "mongodb-reservation", database: "reservation-db", memcached: "memcached-reserve" }),
];

const mongoStore = (service: string): StoreSpec => ({
  name: `mongodb-${service}`, kind: "mongo", port: MONGO_PORT, user: service, database: `${service}-db`, latencyMs: 1.8,
});
const memcachedStore = (name: string): StoreSpec => ({ name, kind: "memcached", port: MEMCACHED_PORT, latencyMs: 0.3 });

export const HOTEL_STORES: StoreSpec[] = [
  ...["geo", "profile", "rate", "recommendation", "reservation", "user"].map(mongoStore),
  ...["memcached-profile", "memcached-rate", "memcached-reserve"].map(memcachedStore),
];

/** What each service does with its stores on a request. */
const STORE_CALLS: Record<string, string[]> = {
  geo: ["mongodb-geo"],
  rate: ["memcached-rate", "mongodb-rate"],
  profile: ["memcached-profile", "mongodb-profile"],
  recommendation: ["mongodb-recommendation"],
  reservation: ["memcached-reserve", "mongodb-reservation"],
  user: ["mongodb-user"],
};
const withStores = (calls: Record<string, string[]>) => {
  const out: Record<string, string[]> = { ...calls };
  for (const svc of Object.values(calls).flat()) if (STORE_CALLS[svc]) out[svc] = STORE_CALLS[svc];
  return out;
};

export const hotelReservation: AppDefinition = {
  name: "hotel-reservation",
  namespace: HOTEL_NAMESPACE,
  services: HOTEL_SERVICES,
  stores: HOTEL_STORES,
  defaultRate: 50,
  requests: [
    { name: "/hotels", entry: "frontend", weight: 0.6, calls: withStores({ frontend: ["search", "reservation", "profile"], search: ["geo", "rate"] }) },
    { name: "/recommendations", entry: "frontend", weight: 0.39, calls: withStores({ frontend: ["recommendation", "profile"] }) },
    { name: "/user", entry: "frontend", weight: 0.005, calls: withStores({ frontend: ["user"] }) },
    { name: "/reservation", entry: "frontend", weight: 0.005, calls: withStores({ frontend: ["user", "reservation"] }) },
  ],
  manifests(): KObject[] {
    const ns = HOTEL_NAMESPACE;
    const ports = new Map<string, number>([...HOTEL_SERVICES, ...HOTEL_STORES].map((s) => [s.name, s.port]));
    const portOf = (n: string) => ports.get(n)!;
    const image = `${HOTEL_IMAGE}:${HOTEL_GOOD_TAG}`;
    return [
      namespace(ns),
      ...HOTEL_STORES.flatMap((s) => storeManifests(ns, s)),
      ...HOTEL_SERVICES.flatMap((s) => appService(ns, s, image, s.name === "frontend" ? "http" : "grpc", portOf)),
    ];
  },
};

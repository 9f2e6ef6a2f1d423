/**
 * The apps' images and their behaviour models, bound to one sandbox's instance table (each
 * started process is recorded there for the workload): DSB hotel-reservation and social-network
 * service images (tag 1.0.0 good, 1.0.1 the bad release), the OpenResty front ends, MongoDB 4.4,
 * memcached 1.6 and redis 6.2. Any other tag of these repositories does not exist.
 */
import { HOTEL_BAD_TAG, HOTEL_GOOD_TAG, HOTEL_IMAGE, HOTEL_SERVICES, HOTEL_STORES } from "../apps/hotel-reservation/index.ts";
import { MEMCACHED_IMAGE, MONGO_IMAGE, REDIS_IMAGE } from "../apps/manifests.ts";
import {
  MEDIA_FRONTEND_IMAGE, NGINX_THRIFT_IMAGE, SOCIAL_BAD_TAG, SOCIAL_GOOD_TAG, SOCIAL_IMAGE, SOCIAL_SERVICES, SOCIAL_STORES,
} from "../apps/social-network/index.ts";
import { memcachedImage, redisImage } from "./cache-stores.ts";
import { parseImage, type ImageEntry } from "./catalog.ts";
import type { InstanceTable } from "./instances.ts";
import { mongoImage } from "./mongo.ts";
import { openrestyImage } from "./openresty.ts";
import { serviceImage } from "./service-binaries.ts";

const addressBook = (specs: Array<{ name: string; port: number }>) => {
  const ports = new Map(specs.map((s) => [s.name, s.port]));
  return (name: string) => `${name}:${ports.get(name) ?? 80}`;
};

export function appImageEntries(instances: InstanceTable): ImageEntry[] {
  const hotelAddr = addressBook([...HOTEL_SERVICES, ...HOTEL_STORES]);
  const socialAddr = addressBook([...SOCIAL_SERVICES, ...SOCIAL_STORES]);
  const repo = (image: string) => parseImage(image).repository;
  const tag = (image: string) => parseImage(image).tag;
  const social = (name: string) => SOCIAL_SERVICES.find((s) => s.name === name)!;
  return [
    {
      repository: HOTEL_IMAGE, tags: [HOTEL_GOOD_TAG, HOTEL_BAD_TAG],
      behaviour: serviceImage({ runtime: "go", services: HOTEL_SERVICES, addressOf: hotelAddr, badTags: [HOTEL_BAD_TAG], instances }),
    },
    {
      repository: SOCIAL_IMAGE, tags: [SOCIAL_GOOD_TAG, SOCIAL_BAD_TAG],
      behaviour: serviceImage({ runtime: "thrift", services: SOCIAL_SERVICES.filter((s) => s.runtime === "thrift"), addressOf: socialAddr, badTags: [SOCIAL_BAD_TAG], instances }),
    },
    { repository: repo(NGINX_THRIFT_IMAGE), tags: [tag(NGINX_THRIFT_IMAGE)], behaviour: openrestyImage(social("nginx-thrift"), socialAddr, instances) },
    { repository: repo(MEDIA_FRONTEND_IMAGE), tags: [tag(MEDIA_FRONTEND_IMAGE)], behaviour: openrestyImage(social("media-frontend"), socialAddr, instances) },
    { repository: repo(MONGO_IMAGE), tags: ["4.4.6", "4.4", "5.0"], behaviour: mongoImage(instances) },
    { repository: repo(MEMCACHED_IMAGE), tags: ["1.6.7", "1.6", "latest"], behaviour: memcachedImage(instances) },
    { repository: repo(REDIS_IMAGE), tags: ["6.2.4", "6.2", "latest"], behaviour: redisImage(instances) },
  ];
}

/**
 * Builders for the apps' manifests, so both apps declare their objects the same way an operator's
 * chart would: a Deployment + Service per service and store, a ConfigMap `<service>-config` with
 * `config.json`, and per MongoDB a ConfigMap with `mongod.conf`, Secrets `-credentials` (what
 * clients use) and `-users` (what the database accepts), and a PVC. The shapes are fixed by
 * `sandbox/apps/README.md`; nothing here names or hints at a fault.
 */
import { createHash } from "node:crypto";
import type { KObject } from "../api/types.ts";
import type { ServiceSpec, StoreSpec } from "./types.ts";

export const MONGO_IMAGE = "docker.io/library/mongo:4.4.6";
export const MEMCACHED_IMAGE = "docker.io/library/memcached:1.6.7";
export const REDIS_IMAGE = "docker.io/library/redis:6.2.4";
/** Where a MongoDB finds its config and its users file. */
export const MONGO_CONF_DIR = "/etc/mongo";
export const MONGO_USERS_DIR = "/etc/mongo-users";
/** Where a service finds its config.json. */
export const SERVICE_CONFIG_DIR = "/config";
/** Default per-call deadline in a service's config.json. */
export const DEFAULT_TIMEOUT_MS = 1000;

const labels = (name: string) => ({ app: name });

/** A stable, random-looking password per database (the same on every run). */
export function passwordFor(name: string): string {
  return createHash("sha256").update(`stratus-sandbox:${name}`).digest("base64url").slice(0, 16);
}

export function namespace(name: string): KObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "kubernetes.io/metadata.name": name } } };
}

export function service(ns: string, name: string, port: number, portName: string): KObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: ns, labels: labels(name) },
    spec: { type: "ClusterIP", selector: labels(name), ports: [{ name: portName, port, targetPort: port, protocol: "TCP" }] },
  };
}

export function configMap(ns: string, name: string, data: Record<string, string>): KObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns, labels: labels(name.replace(/-config$/, "")) }, data };
}

export function secret(ns: string, name: string, app: string, data: Record<string, string>): KObject {
  return { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: ns, labels: labels(app) }, type: "Opaque", stringData: data };
}

export function pvc(ns: string, name: string, app: string): KObject {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name, namespace: ns, labels: labels(app) },
    spec: { accessModes: ["ReadWriteOnce"], storageClassName: "standard", resources: { requests: { storage: "1Gi" } } },
  };
}

type ContainerExtras = {
  command?: string[];
  env?: Array<Record<string, unknown>>;
  volumeMounts?: Array<Record<string, unknown>>;
  resources: Record<string, unknown>;
};

export function deployment(ns: string, name: string, image: string, port: number, portName: string, extra: ContainerExtras, volumes: Array<Record<string, unknown>>, strategy?: string): KObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns, labels: labels(name) },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels(name) },
      ...(strategy ? { strategy: { type: strategy } } : {}),
      template: {
        metadata: { labels: labels(name) },
        spec: {
          containers: [{
            name,
            image,
            imagePullPolicy: "IfNotPresent",
            ...(extra.command ? { command: extra.command } : {}),
            ports: [{ name: portName, containerPort: port, protocol: "TCP" }],
            ...(extra.env?.length ? { env: extra.env } : {}),
            readinessProbe: { tcpSocket: { port }, initialDelaySeconds: 2, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 3 },
            resources: extra.resources,
            ...(extra.volumeMounts?.length ? { volumeMounts: extra.volumeMounts } : {}),
          }],
          ...(volumes.length ? { volumes } : {}),
        },
      },
    },
  };
}

const SERVICE_RESOURCES = { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "1", memory: "256Mi" } };

/** The config.json a service reads: its name, port, callees' addresses, deadline and database. */
export function serviceConfig(spec: ServiceSpec, portOf: (name: string) => number): string {
  const callees = Object.fromEntries(spec.calls.map((c) => [c, `${c}:${portOf(c)}`]));
  const config: Record<string, unknown> = { service: spec.name, port: spec.port, callees, timeoutMs: DEFAULT_TIMEOUT_MS };
  if (spec.database) config.database = spec.database;
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Client env for a service's stores: addresses, and MongoDB credentials from the DB's Secret. */
export function storeEnv(spec: ServiceSpec, portOf: (name: string) => number): Array<Record<string, unknown>> {
  const env: Array<Record<string, unknown>> = [];
  if (spec.mongo) {
    env.push({ name: "MONGO_ADDR", value: `${spec.mongo}:${portOf(spec.mongo)}` });
    env.push({ name: "MONGO_USER", valueFrom: { secretKeyRef: { name: `${spec.mongo}-credentials`, key: "username" } } });
    env.push({ name: "MONGO_PASSWORD", valueFrom: { secretKeyRef: { name: `${spec.mongo}-credentials`, key: "password" } } });
  }
  if (spec.memcached) env.push({ name: "MEMCACHED_ADDR", value: `${spec.memcached}:${portOf(spec.memcached)}` });
  if (spec.redis) env.push({ name: "REDIS_ADDR", value: `${spec.redis}:${portOf(spec.redis)}` });
  return env;
}

/** Deployment, Service and ConfigMap of an application service (Go or Thrift). */
export function appService(ns: string, spec: ServiceSpec, image: string, portName: string, portOf: (name: string) => number): KObject[] {
  return [
    configMap(ns, `${spec.name}-config`, { "config.json": serviceConfig(spec, portOf) }),
    service(ns, spec.name, spec.port, portName),
    deployment(ns, spec.name, image, spec.port, portName, {
      command: [spec.binary],
      env: storeEnv(spec, portOf),
      volumeMounts: [{ name: "config", mountPath: SERVICE_CONFIG_DIR, readOnly: true }],
      resources: SERVICE_RESOURCES,
    }, [{ name: "config", configMap: { name: `${spec.name}-config` } }]),
  ];
}

/** An OpenResty front end: nginx.conf (listen port) and config.json (callees) from one ConfigMap. */
export function openrestyService(ns: string, spec: ServiceSpec, image: string, portOf: (name: string) => number): KObject[] {
  const conf = `${spec.name}-config`;
  const nginxConf = [
    "worker_processes auto;",
    "error_log /dev/stderr notice;",
    "events {",
    "  worker_connections 1024;",
    "}",
    "http {",
    "  lua_package_path '/usr/local/openresty/nginx/lua-scripts/?.lua;/usr/local/openresty/luajit/share/lua/5.1/?.lua;;';",
    "  init_by_lua_block {",
    `    local f = io.open("${SERVICE_CONFIG_DIR}/config.json")`,
    "    config = require('cjson').decode(f:read('*a'))",
    "  }",
    "  server {",
    `    listen ${spec.port} reuseport;`,
    "    server_name localhost;",
    ...(spec.httpPaths ?? []).filter((p) => p !== "/").map((p) => `    location ${p} {\n      content_by_lua_file lua-scripts${p}.lua;\n    }`),
    "  }",
    "}",
    "",
  ].join("\n");
  return [
    configMap(ns, conf, { "nginx.conf": nginxConf, "config.json": serviceConfig(spec, portOf) }),
    service(ns, spec.name, spec.port, "http"),
    deployment(ns, spec.name, image, spec.port, "http", {
      env: storeEnv(spec, portOf),
      volumeMounts: [
        { name: "config", mountPath: "/usr/local/openresty/nginx/conf/nginx.conf", subPath: "nginx.conf", readOnly: true },
        { name: "config", mountPath: SERVICE_CONFIG_DIR, readOnly: true },
      ],
      resources: SERVICE_RESOURCES,
    }, [{ name: "config", configMap: { name: conf } }]),
  ];
}

/** A MongoDB: config, client credentials, the users it accepts, its volume, Service, Deployment. */
export function mongo(ns: string, spec: StoreSpec): KObject[] {
  const { name } = spec;
  const password = passwordFor(`${ns}/${name}`);
  const users = [{ user: spec.user, password, roles: [{ role: "readWrite", db: spec.database }] }];
  const conf = [
    "net:",
    `  port: ${spec.port}`,
    "  bindIpAll: true",
    "  tls:",
    "    mode: disabled",
    "storage:",
    "  dbPath: /data/db",
    "security:",
    "  authorization: enabled",
    "",
  ].join("\n");
  return [
    configMap(ns, `${name}-config`, { "mongod.conf": conf }),
    secret(ns, `${name}-credentials`, name, { username: spec.user!, password }),
    secret(ns, `${name}-users`, name, { "users.json": `${JSON.stringify(users, null, 2)}\n` }),
    pvc(ns, `${name}-pvc`, name),
    service(ns, name, spec.port, "mongo"),
    deployment(ns, name, MONGO_IMAGE, spec.port, "mongo", {
      command: ["mongod", "--config", `${MONGO_CONF_DIR}/mongod.conf`],
      volumeMounts: [
        { name: "data", mountPath: "/data/db" },
        { name: "config", mountPath: MONGO_CONF_DIR, readOnly: true },
        { name: "users", mountPath: MONGO_USERS_DIR, readOnly: true },
      ],
      resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    }, [
      { name: "data", persistentVolumeClaim: { claimName: `${name}-pvc` } },
      { name: "config", configMap: { name: `${name}-config` } },
      { name: "users", secret: { secretName: `${name}-users` } },
    ], "Recreate"),
  ];
}

export function memcached(ns: string, spec: StoreSpec): KObject[] {
  return [
    service(ns, spec.name, spec.port, "memcached"),
    deployment(ns, spec.name, MEMCACHED_IMAGE, spec.port, "memcached", {
      command: ["memcached", "-m", "64"],
      resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
    }, []),
  ];
}

export function redis(ns: string, spec: StoreSpec): KObject[] {
  return [
    service(ns, spec.name, spec.port, "redis"),
    deployment(ns, spec.name, REDIS_IMAGE, spec.port, "redis", {
      command: ["redis-server"],
      resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    }, []),
  ];
}

export function storeManifests(ns: string, spec: StoreSpec): KObject[] {
  if (spec.kind === "mongo") return mongo(ns, spec);
  if (spec.kind === "memcached") return memcached(ns, spec);
  return redis(ns, spec);
}

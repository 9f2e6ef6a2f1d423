/**
 * Service: defaulting as the API server and its service REST layer do it (type ClusterIP,
 * sessionAffinity None, protocol TCP, targetPort = port, a cluster IP from 10.96.0.0/16 and node
 * ports from 30000-32767 that no other Service holds, allocated values carried over on update,
 * values a type change no longer needs dropped), ValidateService with the real wording (ports,
 * types, clusterIP may not change once set) and the `kubectl get services` columns.
 *
 * Allocation is deterministic: a hash of namespace/name picks the first candidate and the next
 * free one is taken, so a given cluster state always yields the same addresses.
 */
import type { ObjectStore } from "../store.ts";
import { age } from "../table.ts";
import type { FieldCause, KObject } from "../types.ts";
import { invalidValue, required, unsupported, type KindBehaviour } from "./kind.ts";
import {
  AGE_COLUMN, builtin, col, deepEqual, dns1123LabelErrors, duplicate, fnv1a, forbidden, formatLabels,
  goStrings, invalidEach, invalidRaw, isInt, isObject, NAME_COLUMN, PORT_RANGE_MESSAGE, portNameErrors, validPort,
} from "./common.ts";

export const SERVICE_CIDR = "10.96.0.0/16";
export const NODE_PORT_RANGE = { min: 30000, max: 32767 };
const CIDR_BASE = ipToInt("10.96.0.0")!;
const CIDR_SIZE = 1 << 16;
/** Like kube-apiserver, keep the lowest addresses (10.96.0.x) for IPs users ask for. */
const STATIC_BAND = 256;
const TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const PROTOCOLS = ["SCTP", "TCP", "UDP"];

const needsClusterIP = (s: any) => s?.type !== "ExternalName";
const needsNodePort = (s: any) => s?.type === "NodePort" || s?.type === "LoadBalancer";

export const serviceKind: KindBehaviour = {
  group: "",
  kind: "Service",
  default(obj, old, store) {
    if (!isObject(obj.spec)) return;
    const spec = obj.spec;
    spec.type ||= "ClusterIP";
    spec.sessionAffinity ||= "None";
    if (spec.sessionAffinity === "ClientIP") {
      spec.sessionAffinityConfig ??= { clientIP: { timeoutSeconds: 10800 } };
    }
    if (Array.isArray(spec.ports)) {
      for (const p of spec.ports) {
        if (!isObject(p)) continue;
        p.protocol ||= "TCP";
        if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === "") p.targetPort = p.port;
      }
    }
    if (old) carryOver(spec, old.spec ?? {});
    if (needsClusterIP(spec)) {
      if (!spec.clusterIP && Array.isArray(spec.clusterIPs) && spec.clusterIPs[0]) spec.clusterIP = spec.clusterIPs[0];
      if (!spec.clusterIP) spec.clusterIP = allocateClusterIP(store, obj);
      if (!Array.isArray(spec.clusterIPs) || !spec.clusterIPs.length) spec.clusterIPs = [spec.clusterIP];
      spec.ipFamilies ??= ["IPv4"];
      spec.ipFamilyPolicy ??= "SingleStack";
      spec.internalTrafficPolicy ||= "Cluster";
    }
    if (needsNodePort(spec)) {
      spec.externalTrafficPolicy ||= "Cluster";
      if (Array.isArray(spec.ports)) {
        const taken = nodePortsInUse(store, obj);
        for (const p of spec.ports) if (isObject(p) && isInt(p.nodePort) && p.nodePort) taken.add(p.nodePort);
        for (const p of spec.ports) {
          if (isObject(p) && !p.nodePort) {
            p.nodePort = allocateNodePort(taken, `${obj.metadata.namespace}/${obj.metadata.name}/${p.port}/${p.protocol}`);
            taken.add(p.nodePort);
          }
        }
      }
    }
    if (spec.type === "LoadBalancer") spec.allocateLoadBalancerNodePorts ??= true;
    if (!old) obj.status = { loadBalancer: {} };
  },
  validate(obj, old, store) {
    const causes = validateServiceSpec(obj, store);
    if (causes.length) return causes;
    if (old) causes.push(...validateServiceUpdate(obj, old));
    if (!old || old.spec?.type === "ExternalName") causes.push(...validateRequestedClusterIP(obj, store));
    return causes;
  },
  table: {
    columns: [
      NAME_COLUMN,
      col("Type", "string", false, "type determines how the Service is exposed."),
      col("Cluster-IP", "string", false, "clusterIP is the IP address of the service and is usually assigned randomly."),
      col("External-IP", "string", false, "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
      col("Port(s)", "string", false, "The list of ports that are exposed by this service."),
      AGE_COLUMN,
      col("Selector", "string", true, "Route service traffic to pods with label keys and values matching this selector."),
    ],
    cells(svc, now) {
      const spec = svc.spec ?? {};
      return [svc.metadata.name, spec.type ?? "ClusterIP", spec.clusterIP || "<none>", externalIP(svc), portsCell(spec.ports), age(svc.metadata.creationTimestamp, now), formatLabels(spec.selector)];
    },
  },
};

/** The PORT(S) cell: `80/TCP`, `80:30080/TCP`, comma-separated; `<none>` without ports. */
export function portsCell(ports: unknown): string {
  if (!Array.isArray(ports) || !ports.length) return "<none>";
  return ports.map((p: any) => (p?.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol ?? "TCP"}` : `${p?.port}/${p?.protocol ?? "TCP"}`)).join(",");
}

function externalIP(svc: KObject): string {
  const spec = svc.spec ?? {};
  const externalIPs: string[] = Array.isArray(spec.externalIPs) ? spec.externalIPs : [];
  switch (spec.type ?? "ClusterIP") {
    case "ClusterIP":
    case "NodePort":
      return externalIPs.length ? externalIPs.join(",") : "<none>";
    case "LoadBalancer": {
      const ingress: any[] = svc.status?.loadBalancer?.ingress ?? [];
      const lb = ingress.map((i) => i.ip || i.hostname).filter(Boolean);
      const all = [...lb, ...externalIPs];
      return all.length ? all.join(",") : "<pending>";
    }
    case "ExternalName":
      return spec.externalName ?? "";
    default:
      return "<unknown>";
  }
}

/** patchAllocatedValues and dropTypeDependentFields of the real service REST layer. */
function carryOver(spec: Record<string, any>, before: Record<string, any>): void {
  if (needsClusterIP(before) && needsClusterIP(spec)) {
    if (!spec.clusterIP) spec.clusterIP = before.clusterIP;
    if ((!Array.isArray(spec.clusterIPs) || !spec.clusterIPs.length) && before.clusterIPs) spec.clusterIPs = structuredClone(before.clusterIPs);
  }
  if (needsClusterIP(before) && !needsClusterIP(spec)) {
    if ((spec.clusterIP ?? "") === (before.clusterIP ?? "")) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (deepEqual(spec.ipFamilies, before.ipFamilies)) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === before.ipFamilyPolicy) delete spec.ipFamilyPolicy;
    if (spec.internalTrafficPolicy === before.internalTrafficPolicy) delete spec.internalTrafficPolicy;
  }
  const nodePorts = (s: any) => (Array.isArray(s.ports) ? s.ports.map((p: any) => p?.nodePort ?? 0) : []);
  if (needsNodePort(before) && needsNodePort(spec) && Array.isArray(spec.ports)) {
    const used = new Set(nodePorts(spec));
    const byName = new Map<string, number>((before.ports ?? []).map((p: any) => [p?.name ?? "", p?.nodePort ?? 0]));
    for (const p of spec.ports) {
      const prior = isObject(p) && !p.nodePort ? byName.get(p.name ?? "") : undefined;
      if (prior && !used.has(prior)) p.nodePort = prior;
    }
  }
  if (needsNodePort(before) && !needsNodePort(spec) && deepEqual(nodePorts(spec), nodePorts(before)) && Array.isArray(spec.ports)) {
    for (const p of spec.ports) if (isObject(p)) delete p.nodePort;
  }
  if (needsNodePort(before) && !needsNodePort(spec) && spec.externalTrafficPolicy === before.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  if (before.type === "LoadBalancer" && spec.type !== "LoadBalancer" && spec.allocateLoadBalancerNodePorts === before.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
}

function otherServices(store: ObjectStore, self: KObject): KObject[] {
  return store.list(builtin(store, "", "services")).filter((s) => s.metadata.namespace !== self.metadata.namespace || s.metadata.name !== self.metadata.name);
}

function clusterIPsInUse(store: ObjectStore, self: KObject): Set<string> {
  const used = new Set<string>();
  for (const s of otherServices(store, self)) {
    for (const ip of [s.spec?.clusterIP, ...(s.spec?.clusterIPs ?? [])]) if (ip && ip !== "None") used.add(ip);
  }
  return used;
}

function nodePortsInUse(store: ObjectStore, self: KObject): Set<number> {
  const used = new Set<number>();
  for (const s of otherServices(store, self)) for (const p of s.spec?.ports ?? []) if (p?.nodePort) used.add(p.nodePort);
  return used;
}

function allocateClusterIP(store: ObjectStore, svc: KObject): string {
  const used = clusterIPsInUse(store, svc);
  const dynamic = CIDR_SIZE - 1 - STATIC_BAND; // offsets STATIC_BAND .. CIDR_SIZE-2 (no broadcast)
  const start = fnv1a(`${svc.metadata.namespace}/${svc.metadata.name}`) % dynamic;
  for (let i = 0; i < dynamic; i++) {
    const ip = intToIp(CIDR_BASE + STATIC_BAND + ((start + i) % dynamic));
    if (!used.has(ip)) return ip;
  }
  for (let off = 1; off < STATIC_BAND; off++) if (!used.has(intToIp(CIDR_BASE + off))) return intToIp(CIDR_BASE + off);
  return ""; // exhausted: validation reports the missing address
}

function allocateNodePort(taken: Set<number>, key: string): number {
  const size = NODE_PORT_RANGE.max - NODE_PORT_RANGE.min + 1;
  const start = fnv1a(key) % size;
  for (let i = 0; i < size; i++) {
    const port = NODE_PORT_RANGE.min + ((start + i) % size);
    if (!taken.has(port)) return port;
  }
  return 0;
}

function ipToInt(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

function validateServiceSpec(obj: KObject, store: ObjectStore): FieldCause[] {
  const spec = obj.spec;
  if (!isObject(spec)) return [required("spec")];
  const causes: FieldCause[] = [];
  if (!TYPES.includes(spec.type)) causes.push(unsupported("spec.type", spec.type, TYPES));
  if (!["ClientIP", "None"].includes(spec.sessionAffinity)) causes.push(unsupported("spec.sessionAffinity", spec.sessionAffinity, ["ClientIP", "None"]));
  const headless = spec.clusterIP === "None";
  if (spec.type === "ExternalName") {
    if (!spec.externalName) causes.push(required("spec.externalName"));
    if (spec.clusterIP) causes.push(forbidden("spec.clusterIP", "may not be set for ExternalName services"));
  } else if (TYPES.includes(spec.type)) {
    if (!spec.clusterIP) causes.push(invalidRaw("spec.clusterIPs", goStrings(spec.clusterIPs), `failed to allocate IP: range is full (${SERVICE_CIDR})`));
    else if (!headless && ipToInt(spec.clusterIP) === undefined) {
      causes.push(invalidValue("spec.clusterIPs[0]", spec.clusterIP, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
    }
    if (Array.isArray(spec.clusterIPs) && spec.clusterIPs[0] !== spec.clusterIP) {
      causes.push(invalidRaw("spec.clusterIPs", goStrings(spec.clusterIPs), "first value must match `clusterIP`"));
    }
    if (headless && needsNodePort(spec)) causes.push(invalidValue("spec.clusterIPs[0]", "None", `may not be set to 'None' for ${spec.type} services`));
  }
  const ports = spec.ports;
  if (ports !== undefined && !Array.isArray(ports)) causes.push(invalidValue("spec.ports", ports, "must be a list of ports"));
  else if ((!ports || !ports.length) && !headless && spec.type !== "ExternalName") causes.push(required("spec.ports"));
  else if (Array.isArray(ports)) causes.push(...validatePorts(ports, spec.type, obj, store));
  if (spec.selector !== undefined && spec.selector !== null && (!isObject(spec.selector) || Object.values(spec.selector).some((v) => typeof v !== "string"))) {
    causes.push(invalidValue("spec.selector", spec.selector, "must be a map of string keys to string values"));
  }
  return causes;
}

function validatePorts(ports: any[], type: string, obj: KObject, store: ObjectStore): FieldCause[] {
  const causes: FieldCause[] = [];
  const names = new Set<string>();
  const keys = new Set<string>();
  const ownNodePorts = new Map<number, number>(); // nodePort -> port (TCP and UDP of one port may share)
  const taken = needsNodePort(obj.spec) && ports.some((p) => p?.nodePort) ? nodePortsInUse(store, obj) : new Set<number>();
  ports.forEach((p, i) => {
    const at = `spec.ports[${i}]`;
    if (!isObject(p)) {
      causes.push(invalidValue(at, p, "must be a service port object"));
      return;
    }
    if (ports.length > 1 && !p.name) causes.push(required(`${at}.name`));
    if (p.name) {
      causes.push(...invalidEach(`${at}.name`, p.name, dns1123LabelErrors(String(p.name))));
      if (names.has(p.name)) causes.push(duplicate(`${at}.name`, p.name));
      names.add(p.name);
    }
    if (!validPort(p.port)) causes.push(invalidValue(`${at}.port`, p.port ?? 0, PORT_RANGE_MESSAGE));
    if (!PROTOCOLS.includes(p.protocol)) causes.push(unsupported(`${at}.protocol`, p.protocol, PROTOCOLS));
    if (typeof p.targetPort === "string") causes.push(...invalidEach(`${at}.targetPort`, p.targetPort, portNameErrors(p.targetPort)));
    else if (!validPort(p.targetPort)) causes.push(invalidValue(`${at}.targetPort`, p.targetPort, PORT_RANGE_MESSAGE));
    const key = `${p.protocol}/${p.port}`;
    if (keys.has(key)) {
      causes.push({ reason: "FieldValueDuplicate", field: at, message: `Duplicate value: core.ServicePort{Name:"", Protocol:${JSON.stringify(p.protocol)}, AppProtocol:(*string)(nil), Port:${p.port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}` });
    }
    keys.add(key);
    if (p.nodePort !== undefined && p.nodePort !== 0) {
      if (!needsNodePort(obj.spec)) causes.push(forbidden(`${at}.nodePort`, `may not be used when \`type\` is '${type}'`));
      else if (!isInt(p.nodePort) || p.nodePort < NODE_PORT_RANGE.min || p.nodePort > NODE_PORT_RANGE.max) {
        causes.push(invalidValue(`${at}.nodePort`, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`));
      } else if (taken.has(p.nodePort)) causes.push(invalidValue(`${at}.nodePort`, p.nodePort, "provided port is already allocated"));
      else if (ownNodePorts.has(p.nodePort) && ownNodePorts.get(p.nodePort) !== p.port) causes.push(duplicate(`${at}.nodePort`, p.nodePort));
      ownNodePorts.set(p.nodePort, p.port);
    }
  });
  return causes;
}

/** On update: cluster IPs may not change, and a newly asked-for IP must be free and in range. */
function validateServiceUpdate(obj: KObject, old: KObject): FieldCause[] {
  const spec = obj.spec;
  const before = old.spec ?? {};
  if (spec.type === "ExternalName" || before.type === "ExternalName") return [];
  if (before.clusterIP === "None" && spec.clusterIP === "None") return [];
  if (!deepEqual(spec.clusterIPs, before.clusterIPs) || spec.clusterIP !== before.clusterIP) {
    return [invalidRaw("spec.clusterIPs[0]", goStrings(spec.clusterIPs), "may not change once set")];
  }
  return [];
}

/** Checks a cluster IP a client asked for on create: in the service range and not held by another Service. */
function validateRequestedClusterIP(obj: KObject, store: ObjectStore): FieldCause[] {
  const ip: string | undefined = obj.spec?.clusterIP;
  if (!ip || ip === "None" || !needsClusterIP(obj.spec)) return [];
  const n = ipToInt(ip);
  if (n === undefined) return [];
  if (n <= CIDR_BASE || n >= CIDR_BASE + CIDR_SIZE - 1) {
    return [invalidRaw("spec.clusterIPs", goStrings([ip]), `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${SERVICE_CIDR}`)];
  }
  if (clusterIPsInUse(store, obj).has(ip)) return [invalidRaw("spec.clusterIPs", goStrings([ip]), `failed to allocate IP ${ip}: provided IP is already allocated`)];
  return [];
}

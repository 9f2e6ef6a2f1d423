/**
 * Pod spec defaulting and validation shared by Pod, Deployment and ReplicaSet: what
 * SetDefaults_PodSpec / SetDefaults_Container do on a real API server, the container, port,
 * resource, probe and volume checks of ValidatePodSpec with the real field paths and wording, the
 * pod's QoS class, and the workload rules (selector required and matching the template labels,
 * restartPolicy Always, selector immutable in apps/v1). Pod-only admission (service account,
 * default tolerations, priority, requests defaulted from limits) is applied when `pod` is set.
 */
import { labelSelectorFromObject, matchesLabelSelector, SelectorError } from "../selectors.ts";
import type { FieldCause, KObject } from "../types.ts";
import { invalidValue, required, unsupported } from "./kind.ts";
import {
  deepEqual, dns1123LabelErrors, duplicate, goLabelSelector, goStringMap, invalidEach, invalidRaw,
  isInt, isObject, PORT_RANGE_MESSAGE, portNameErrors, requiredWith, validPort,
} from "./common.ts";
import { QUANTITY_FORMAT_MESSAGE, tryParseQuantity } from "./quantity.ts";

export const DEFAULT_TERMINATION_GRACE_SECONDS = 30;
export const DEFAULT_SCHEDULER = "default-scheduler";
export const DEFAULT_SERVICE_ACCOUNT = "default";
export const RESTART_POLICIES = ["Always", "OnFailure", "Never"];
const DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];
const PROTOCOLS = ["SCTP", "TCP", "UDP"];
const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"] as const;
const DEFAULT_MODE_SOURCES = ["configMap", "secret", "downwardAPI", "projected"];

export type PodSpecDefaults = {
  /** A Pod rather than a template: also apply what SetDefaults_Pod and admission plugins add. */
  pod?: boolean;
  /** Creating (admission plugins such as ServiceAccount run on create only). */
  create?: boolean;
};

/** Always for `:latest` or an untagged image (without digest), else IfNotPresent. */
export function defaultPullPolicy(image: unknown): "Always" | "IfNotPresent" {
  if (typeof image !== "string") return "IfNotPresent";
  const [named, digest] = image.split("@");
  const last = named.slice(named.lastIndexOf("/") + 1);
  const tag = last.includes(":") ? last.slice(last.lastIndexOf(":") + 1) : digest ? "" : "latest";
  return tag === "latest" ? "Always" : "IfNotPresent";
}

/** Fills a pod spec's defaults in place (idempotent). */
export function defaultPodSpec(spec: Record<string, any>, opts: PodSpecDefaults = {}): void {
  spec.dnsPolicy ||= "ClusterFirst";
  spec.restartPolicy ||= "Always";
  if (!isObject(spec.securityContext)) spec.securityContext = {};
  spec.terminationGracePeriodSeconds ??= DEFAULT_TERMINATION_GRACE_SECONDS;
  spec.schedulerName ||= DEFAULT_SCHEDULER;
  for (const list of [spec.containers, spec.initContainers]) {
    if (!Array.isArray(list)) continue;
    for (const c of list) if (isObject(c)) defaultContainer(c, !!opts.pod);
  }
  if (Array.isArray(spec.volumes)) for (const v of spec.volumes) if (isObject(v)) defaultVolume(v);
  if (opts.pod) {
    spec.enableServiceLinks ??= true;
    if (opts.create) {
      // The ServiceAccount, DefaultTolerationSeconds and Priority admission plugins.
      spec.serviceAccountName ||= spec.serviceAccount || DEFAULT_SERVICE_ACCOUNT;
      spec.serviceAccount = spec.serviceAccountName;
      addDefaultTolerations(spec);
      if (!spec.priorityClassName) spec.priority ??= 0;
      spec.preemptionPolicy ??= "PreemptLowerPriority";
    }
  }
}

function defaultContainer(c: Record<string, any>, pod: boolean): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultPullPolicy(c.image);
  c.terminationMessagePath ||= "/dev/termination-log";
  c.terminationMessagePolicy ||= "File";
  if (!isObject(c.resources)) c.resources = {};
  if (pod && isObject(c.resources.limits)) {
    // SetDefaults_Pod: a limit without a request requests the limit.
    const requests = (c.resources.requests = isObject(c.resources.requests) ? c.resources.requests : {});
    for (const [k, v] of Object.entries(c.resources.limits)) if (!(k in requests)) requests[k] = v;
  }
  if (Array.isArray(c.ports)) for (const p of c.ports) if (isObject(p)) p.protocol ||= "TCP";
  for (const probe of PROBES) if (isObject(c[probe])) defaultProbe(c[probe]);
  if (Array.isArray(c.env)) {
    for (const e of c.env) if (isObject(e?.valueFrom?.fieldRef)) e.valueFrom.fieldRef.apiVersion ||= "v1";
  }
}

function defaultProbe(p: Record<string, any>): void {
  p.timeoutSeconds ||= 1;
  p.periodSeconds ||= 10;
  p.successThreshold ||= 1;
  p.failureThreshold ||= 3;
  if (isObject(p.httpGet)) {
    p.httpGet.path ||= "/";
    p.httpGet.scheme ||= "HTTP";
  }
}

function defaultVolume(v: Record<string, any>): void {
  const sources = Object.keys(v).filter((k) => k !== "name");
  if (!sources.length) v.emptyDir = {};
  for (const s of DEFAULT_MODE_SOURCES) if (isObject(v[s])) v[s].defaultMode ??= 420;
  if (isObject(v.hostPath)) v.hostPath.type ??= "";
}

function addDefaultTolerations(spec: Record<string, any>): void {
  const tolerations: any[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  const tolerates = (key: string) => tolerations.some((t) => isObject(t) && (t.effect === "NoExecute" || !t.effect) && (t.key === key || (!t.key && t.operator === "Exists")));
  for (const key of ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]) {
    if (!tolerates(key)) tolerations.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 });
  }
  spec.tolerations = tolerations;
}

/** The pod's QoS class from its containers' cpu and memory requests and limits. */
export function podQosClass(spec: Record<string, any> | undefined): "Guaranteed" | "Burstable" | "BestEffort" {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  const containers = [...(Array.isArray(spec?.containers) ? spec!.containers : []), ...(Array.isArray(spec?.initContainers) ? spec!.initContainers : [])];
  for (const c of containers) {
    const add = (into: Map<string, number>, list: unknown, found?: Set<string>) => {
      if (!isObject(list)) return;
      for (const name of ["cpu", "memory"]) {
        const q = tryParseQuantity(list[name]);
        if (q === undefined || q <= 0) continue;
        found?.add(name);
        into.set(name, (into.get(name) ?? 0) + q);
      }
    };
    const limitsFound = new Set<string>();
    add(requests, c?.resources?.requests);
    add(limits, c?.resources?.limits, limitsFound);
    if (!limitsFound.has("cpu") || !limitsFound.has("memory")) guaranteed = false;
  }
  if (!requests.size && !limits.size) return "BestEffort";
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (lim === undefined || Math.abs(lim - req) > 1e-9 * Math.max(1, lim)) guaranteed = false;
    }
  }
  return guaranteed && requests.size === limits.size ? "Guaranteed" : "Burstable";
}

export type PodSpecValidation = { restartPolicies?: string[] };

/** ValidatePodSpec's field causes for `spec` at `path` (e.g. "spec" or "spec.template.spec"). */
export function validatePodSpec(spec: unknown, path: string, opts: PodSpecValidation = {}): FieldCause[] {
  if (!isObject(spec)) return [required(path)];
  const causes: FieldCause[] = [];
  const volumes = validateVolumes(spec.volumes, `${path}.volumes`, causes);
  const names = new Set<string>();
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) causes.push(required(`${path}.containers`));
  else spec.containers.forEach((c: unknown, i: number) => validateContainer(c, `${path}.containers[${i}]`, names, volumes, causes));
  if (Array.isArray(spec.initContainers)) {
    spec.initContainers.forEach((c: unknown, i: number) => validateContainer(c, `${path}.initContainers[${i}]`, names, volumes, causes));
  }
  const restart = opts.restartPolicies ?? RESTART_POLICIES;
  if (!RESTART_POLICIES.includes(spec.restartPolicy)) causes.push(unsupported(`${path}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES));
  else if (!restart.includes(spec.restartPolicy)) causes.push(unsupported(`${path}.restartPolicy`, spec.restartPolicy, restart));
  if (!DNS_POLICIES.includes(spec.dnsPolicy)) causes.push(unsupported(`${path}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES));
  if (spec.nodeSelector !== undefined && !isStringMap(spec.nodeSelector)) {
    causes.push(invalidValue(`${path}.nodeSelector`, spec.nodeSelector, "must be a map of string keys to string values"));
  }
  if (spec.activeDeadlineSeconds !== undefined && (!isInt(spec.activeDeadlineSeconds) || spec.activeDeadlineSeconds <= 0)) {
    causes.push(invalidValue(`${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, "must be between 1 and 2147483647, inclusive"));
  }
  return causes;
}

function validateVolumes(volumes: unknown, path: string, causes: FieldCause[]): Set<string> {
  const names = new Set<string>();
  if (volumes === undefined) return names;
  if (!Array.isArray(volumes)) {
    causes.push(invalidValue(path, volumes, "must be a list of volumes"));
    return names;
  }
  volumes.forEach((v: any, i: number) => {
    const at = `${path}[${i}]`;
    const name = v?.name;
    if (typeof name !== "string" || !name) causes.push(required(`${at}.name`));
    else {
      causes.push(...invalidEach(`${at}.name`, name, dns1123LabelErrors(name)));
      if (names.has(name)) causes.push(duplicate(`${at}.name`, name));
      names.add(name);
    }
    if (isObject(v?.persistentVolumeClaim) && !v.persistentVolumeClaim.claimName) causes.push(required(`${at}.persistentVolumeClaim.claimName`));
    if (isObject(v?.configMap) && !v.configMap.name) causes.push(required(`${at}.configMap.name`));
  });
  return names;
}

function validateContainer(c: any, path: string, names: Set<string>, volumes: Set<string>, causes: FieldCause[]): void {
  if (!isObject(c)) {
    causes.push(invalidValue(path, c, "must be a container object"));
    return;
  }
  if (typeof c.name !== "string" || !c.name) causes.push(required(`${path}.name`));
  else {
    causes.push(...invalidEach(`${path}.name`, c.name, dns1123LabelErrors(c.name)));
    if (names.has(c.name)) causes.push(duplicate(`${path}.name`, c.name));
    names.add(c.name);
  }
  if (typeof c.image !== "string" || !c.image) causes.push(required(`${path}.image`));
  if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(c.imagePullPolicy)) {
    causes.push(unsupported(`${path}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
  }
  validatePorts(c.ports, `${path}.ports`, causes);
  validateEnv(c.env, `${path}.env`, causes);
  validateResources(c.resources, `${path}.resources`, causes);
  for (const probe of PROBES) if (c[probe] !== undefined) validateProbe(c[probe], `${path}.${probe}`, probe !== "readinessProbe", causes);
  if (Array.isArray(c.volumeMounts)) {
    c.volumeMounts.forEach((m: any, i: number) => {
      const at = `${path}.volumeMounts[${i}]`;
      if (!m?.name) causes.push(required(`${at}.name`));
      else if (!volumes.has(m.name)) causes.push({ reason: "FieldValueNotFound", field: `${at}.name`, message: `Not found: ${JSON.stringify(m.name)}` });
      if (!m?.mountPath) causes.push(required(`${at}.mountPath`));
    });
  }
}

function validatePorts(ports: unknown, path: string, causes: FieldCause[]): void {
  if (ports === undefined) return;
  if (!Array.isArray(ports)) {
    causes.push(invalidValue(path, ports, "must be a list of ports"));
    return;
  }
  const names = new Set<string>();
  ports.forEach((p: any, i: number) => {
    const at = `${path}[${i}]`;
    if (typeof p?.name === "string" && p.name) {
      causes.push(...invalidEach(`${at}.name`, p.name, portNameErrors(p.name)));
      if (names.has(p.name)) causes.push(duplicate(`${at}.name`, p.name));
      names.add(p.name);
    }
    if (p?.containerPort === undefined || p.containerPort === 0) causes.push(required(`${at}.containerPort`));
    else if (!validPort(p.containerPort)) causes.push(invalidValue(`${at}.containerPort`, p.containerPort, PORT_RANGE_MESSAGE));
    if (p?.hostPort !== undefined && p.hostPort !== 0 && !validPort(p.hostPort)) causes.push(invalidValue(`${at}.hostPort`, p.hostPort, PORT_RANGE_MESSAGE));
    if (p?.protocol !== undefined && !PROTOCOLS.includes(p.protocol)) causes.push(unsupported(`${at}.protocol`, p.protocol, PROTOCOLS));
  });
}

function validateEnv(env: unknown, path: string, causes: FieldCause[]): void {
  if (!Array.isArray(env)) return;
  env.forEach((e: any, i: number) => {
    const at = `${path}[${i}]`;
    if (typeof e?.name !== "string" || !e.name) causes.push(required(`${at}.name`));
    else if (!/^[\x20-\x3c\x3e-\x7e]+$/.test(e.name)) {
      causes.push(invalidValue(`${at}.name`, e.name, "a valid environment variable name must consist only of printable ASCII characters other than '='"));
    }
    if (e?.value !== undefined && typeof e.value !== "string") causes.push(invalidValue(`${at}.value`, e.value, "must be a string"));
  });
}

function validateResources(res: unknown, path: string, causes: FieldCause[]): void {
  if (res === undefined) return;
  if (!isObject(res)) {
    causes.push(invalidValue(path, res, "must be an object with limits and requests"));
    return;
  }
  const parsed: Record<string, Map<string, number>> = { limits: new Map(), requests: new Map() };
  for (const part of ["limits", "requests"] as const) {
    const list = res[part];
    if (list === undefined) continue;
    if (!isObject(list)) {
      causes.push(invalidValue(`${path}.${part}`, list, "must be a map of resource names to quantities"));
      continue;
    }
    for (const [name, raw] of Object.entries(list)) {
      const q = tryParseQuantity(raw);
      if (q === undefined) causes.push(invalidValue(`${path}.${part}[${name}]`, raw, QUANTITY_FORMAT_MESSAGE));
      else if (q < 0) causes.push(invalidValue(`${path}.${part}[${name}]`, String(raw), "must be greater than or equal to 0"));
      else parsed[part].set(name, q);
    }
  }
  for (const [name, req] of parsed.requests) {
    const lim = parsed.limits.get(name);
    if (lim !== undefined && req > lim + 1e-12 * Math.max(1, lim)) {
      causes.push(invalidValue(`${path}.requests[${name}]`, String(res.requests[name]), `must be less than or equal to ${name} limit of ${String(res.limits[name])}`));
    }
  }
}

function validateProbe(p: unknown, path: string, mustSucceedOnce: boolean, causes: FieldCause[]): void {
  if (!isObject(p)) {
    causes.push(invalidValue(path, p, "must be a probe object"));
    return;
  }
  const handlers = ["exec", "httpGet", "tcpSocket", "grpc"].filter((h) => p[h] !== undefined);
  if (handlers.length === 0) causes.push(requiredWith(path, "must specify a handler type"));
  else if (handlers.length > 1) causes.push({ reason: "FieldValueForbidden", field: `${path}.${handlers[1]}`, message: "Forbidden: may not specify more than 1 handler type" });
  for (const f of ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold", "terminationGracePeriodSeconds"]) {
    if (p[f] !== undefined && (!isInt(p[f]) || p[f] < 0)) causes.push(invalidValue(`${path}.${f}`, p[f], "must be greater than or equal to 0"));
  }
  if (mustSucceedOnce && p.successThreshold !== undefined && p.successThreshold !== 1) causes.push(invalidValue(`${path}.successThreshold`, p.successThreshold, "must be 1"));
  const port = p.httpGet?.port ?? p.tcpSocket?.port;
  const portPath = `${path}.${p.httpGet ? "httpGet" : "tcpSocket"}.port`;
  if ((p.httpGet || p.tcpSocket) && port === undefined) causes.push(required(portPath));
  else if (typeof port === "number" && !validPort(port)) causes.push(invalidValue(portPath, port, PORT_RANGE_MESSAGE));
  else if (typeof port === "string") causes.push(...invalidEach(portPath, port, portNameErrors(port)));
}

const isStringMap = (m: unknown) => isObject(m) && Object.values(m).every((v) => typeof v === "string");

/**
 * A Deployment's or ReplicaSet's spec: selector, replicas and the pod template, as
 * ValidateDeploymentSpec / ValidateReplicaSetSpec check them, plus the apps/v1 rule that the
 * selector cannot change after creation.
 */
export function validateWorkloadSpec(obj: KObject, old: KObject | undefined): FieldCause[] {
  const spec = obj.spec;
  if (!isObject(spec)) return [required("spec")];
  const causes: FieldCause[] = [];
  let selects: (labels: Record<string, string> | undefined) => boolean = () => false;
  if (spec.selector === undefined || spec.selector === null) causes.push(required("spec.selector"));
  else if (!isObject(spec.selector)) causes.push(invalidValue("spec.selector", spec.selector, "must be a label selector"));
  else {
    const sel = spec.selector;
    if (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length) {
      causes.push(invalidRaw("spec.selector", goLabelSelector(sel), "empty selector is invalid for deployment"));
    }
    try {
      const parsed = labelSelectorFromObject(sel);
      selects = (labels) => matchesLabelSelector(parsed, labels);
    } catch (e) {
      if (!(e instanceof SelectorError)) throw e;
      causes.push(invalidRaw("spec.selector", goLabelSelector(sel), `invalid label selector: ${e.message}`));
    }
  }
  if (spec.replicas !== undefined && (!isInt(spec.replicas) || spec.replicas < 0)) causes.push(invalidValue("spec.replicas", spec.replicas, "must be greater than or equal to 0"));
  if (spec.minReadySeconds !== undefined && (!isInt(spec.minReadySeconds) || spec.minReadySeconds < 0)) causes.push(invalidValue("spec.minReadySeconds", spec.minReadySeconds, "must be greater than or equal to 0"));
  const template = spec.template;
  if (!isObject(template)) causes.push(required("spec.template"));
  else {
    const labels = template.metadata?.labels;
    // A missing selector selects nothing, so the real server reports the mismatch as well.
    if (!causes.some((c) => c.field === "spec.selector" && c.message.startsWith("Invalid")) && !selects(labels)) {
      causes.push(invalidRaw("spec.template.metadata.labels", goStringMap(labels), "`selector` does not match template `labels`"));
    }
    causes.push(...validatePodSpec(template.spec, "spec.template.spec", { restartPolicies: ["Always"] }));
    if (template.spec?.activeDeadlineSeconds !== undefined) {
      causes.push(invalidValue("spec.template.spec.activeDeadlineSeconds", template.spec.activeDeadlineSeconds, "activeDeadlineSeconds in ReplicaSet is not Supported"));
    }
  }
  if (old && !deepEqual(old.spec?.selector, spec.selector)) {
    causes.push(invalidRaw("spec.selector", goLabelSelector(spec.selector), "field is immutable"));
  }
  return causes;
}

/** The CONTAINERS and IMAGES cells of a workload's wide table row. */
export function containerCells(template: any): [string, string] {
  const containers: any[] = Array.isArray(template?.spec?.containers) ? template.spec.containers : [];
  return [containers.map((c) => c?.name ?? "").join(","), containers.map((c) => c?.image ?? "").join(",")];
}

/**
 * The protobuf message schemas the sandbox reads, one table row per Kubernetes message. kubectl's
 * typed clients send built-in objects as `application/vnd.kubernetes.protobuf`; `protobuf.ts` walks
 * a body with these tables and turns it into the JSON a JSON client would have sent. Field numbers
 * are copied from the generated.proto files of k8s.io/api (core/v1, apps/v1) and k8s.io/apimachinery
 * (meta/v1, util/intstr, api/resource); they never change once released, so older and newer
 * clients agree on them.
 *
 * Each field is written `name:type`, where type is one of string, bytes, int32, int64, bool,
 * intOrString, quantity, time, map (string → string), map<bytes>, map<quantity>, or a message
 * name from this table. `[]` after the type marks a repeated field. `?` marks a Go pointer
 * (`optional` in the Go struct): gogo-protobuf writes those only when set, so a zero there was
 * meant and is kept; every other scalar is always written and its zero value dropped, as
 * `omitempty` does in JSON. A name of `...` inlines the message's fields into the parent, as Go's
 * embedded structs are flattened in JSON (ConfigMapKeySelector.LocalObjectReference,
 * Volume.VolumeSource, Probe.ProbeHandler). Fields not listed are skipped when decoding.
 */

export type ScalarType = "string" | "bytes" | "int32" | "int64" | "bool" | "intOrString" | "quantity" | "time";
export type MapValue = "string" | "bytes" | "quantity";
export type FieldType = ScalarType | { message: string } | { map: MapValue };
export type FieldSpec = { name: string; type: FieldType; repeated: boolean; pointer: boolean; inline: boolean };
export type MessageSchema = ReadonlyMap<number, FieldSpec>;

type Table = Record<string, Record<number, string>>;

const META: Table = {
  ObjectMeta: {
    1: "name:string", 2: "generateName:string", 3: "namespace:string", 4: "selfLink:string", 5: "uid:string",
    6: "resourceVersion:string", 7: "generation:int64", 8: "creationTimestamp:time", 9: "deletionTimestamp:time?",
    10: "deletionGracePeriodSeconds:int64?", 11: "labels:map", 12: "annotations:map",
    13: "ownerReferences:OwnerReference[]", 14: "finalizers:string[]",
  },
  OwnerReference: { 5: "apiVersion:string", 1: "kind:string", 3: "name:string", 4: "uid:string", 6: "controller:bool?", 7: "blockOwnerDeletion:bool?" },
  LabelSelector: { 1: "matchLabels:map", 2: "matchExpressions:LabelSelectorRequirement[]" },
  LabelSelectorRequirement: { 1: "key:string", 2: "operator:string", 3: "values:string[]" },
  DeleteOptions: {
    1: "gracePeriodSeconds:int64?", 2: "preconditions:Preconditions", 3: "orphanDependents:bool?",
    4: "propagationPolicy:string?", 5: "dryRun:string[]",
  },
  Preconditions: { 1: "uid:string?", 2: "resourceVersion:string?" },
};

const CORE: Table = {
  Namespace: { 1: "metadata:ObjectMeta", 2: "spec:NamespaceSpec", 3: "status:NamespaceStatus" },
  NamespaceSpec: { 1: "finalizers:string[]" },
  NamespaceStatus: { 1: "phase:string" },
  ConfigMap: { 1: "metadata:ObjectMeta", 4: "immutable:bool?", 2: "data:map", 3: "binaryData:map<bytes>" },
  Secret: { 1: "metadata:ObjectMeta", 5: "immutable:bool?", 2: "data:map<bytes>", 4: "stringData:map", 3: "type:string" },
  ServiceAccount: {
    1: "metadata:ObjectMeta", 2: "secrets:ObjectReference[]", 3: "imagePullSecrets:LocalObjectReference[]",
    4: "automountServiceAccountToken:bool?",
  },
  ObjectReference: {
    1: "kind:string", 2: "namespace:string", 3: "name:string", 4: "uid:string", 5: "apiVersion:string",
    6: "resourceVersion:string", 7: "fieldPath:string",
  },
  LocalObjectReference: { 1: "name:string" },

  Pod: { 1: "metadata:ObjectMeta", 2: "spec:PodSpec", 3: "status:PodStatus" },
  PodStatus: {
    1: "phase:string", 3: "message:string", 4: "reason:string", 11: "nominatedNodeName:string", 5: "hostIP:string",
    6: "podIP:string", 7: "startTime:time?", 9: "qosClass:string",
  },
  PodTemplateSpec: { 1: "metadata:ObjectMeta", 2: "spec:PodSpec" },
  PodSpec: {
    1: "volumes:Volume[]", 20: "initContainers:Container[]", 2: "containers:Container[]", 3: "restartPolicy:string",
    4: "terminationGracePeriodSeconds:int64?", 5: "activeDeadlineSeconds:int64?", 6: "dnsPolicy:string",
    7: "nodeSelector:map", 8: "serviceAccountName:string", 9: "serviceAccount:string",
    21: "automountServiceAccountToken:bool?", 10: "nodeName:string", 11: "hostNetwork:bool", 12: "hostPID:bool",
    13: "hostIPC:bool", 27: "shareProcessNamespace:bool?", 14: "securityContext:PodSecurityContext",
    15: "imagePullSecrets:LocalObjectReference[]", 16: "hostname:string", 17: "subdomain:string",
    19: "schedulerName:string", 22: "tolerations:Toleration[]", 24: "priorityClassName:string",
    25: "priority:int32?", 30: "enableServiceLinks:bool?", 31: "preemptionPolicy:string?", 35: "setHostnameAsFQDN:bool?",
  },
  PodSecurityContext: {
    2: "runAsUser:int64?", 6: "runAsGroup:int64?", 3: "runAsNonRoot:bool?", 4: "supplementalGroups:int64[]",
    5: "fsGroup:int64?", 9: "fsGroupChangePolicy:string?",
  },
  Toleration: { 1: "key:string", 2: "operator:string", 3: "value:string", 4: "effect:string", 5: "tolerationSeconds:int64?" },
  Container: {
    1: "name:string", 2: "image:string", 3: "command:string[]", 4: "args:string[]", 5: "workingDir:string",
    6: "ports:ContainerPort[]", 19: "envFrom:EnvFromSource[]", 7: "env:EnvVar[]", 8: "resources:ResourceRequirements",
    9: "volumeMounts:VolumeMount[]", 10: "livenessProbe:Probe", 11: "readinessProbe:Probe", 22: "startupProbe:Probe",
    12: "lifecycle:Lifecycle", 13: "terminationMessagePath:string", 20: "terminationMessagePolicy:string",
    14: "imagePullPolicy:string", 15: "securityContext:SecurityContext", 16: "stdin:bool", 17: "stdinOnce:bool",
    18: "tty:bool", 24: "restartPolicy:string?",
  },
  ContainerPort: { 1: "name:string", 2: "hostPort:int32", 3: "containerPort:int32", 4: "protocol:string", 5: "hostIP:string" },
  EnvVar: { 1: "name:string", 2: "value:string", 3: "valueFrom:EnvVarSource" },
  EnvVarSource: {
    1: "fieldRef:ObjectFieldSelector", 2: "resourceFieldRef:ResourceFieldSelector",
    3: "configMapKeyRef:ConfigMapKeySelector", 4: "secretKeyRef:SecretKeySelector",
  },
  ObjectFieldSelector: { 1: "apiVersion:string", 2: "fieldPath:string" },
  ResourceFieldSelector: { 1: "containerName:string", 2: "resource:string", 3: "divisor:quantity" },
  ConfigMapKeySelector: { 1: "...:LocalObjectReference", 2: "key:string", 3: "optional:bool?" },
  SecretKeySelector: { 1: "...:LocalObjectReference", 2: "key:string", 3: "optional:bool?" },
  EnvFromSource: { 1: "prefix:string", 2: "configMapRef:ConfigMapEnvSource", 3: "secretRef:SecretEnvSource" },
  ConfigMapEnvSource: { 1: "...:LocalObjectReference", 2: "optional:bool?" },
  SecretEnvSource: { 1: "...:LocalObjectReference", 2: "optional:bool?" },
  ResourceRequirements: { 1: "limits:map<quantity>", 2: "requests:map<quantity>" },
  VolumeMount: {
    1: "name:string", 2: "readOnly:bool", 3: "mountPath:string", 4: "subPath:string", 5: "mountPropagation:string?",
    6: "subPathExpr:string",
  },
  Probe: {
    1: "...:ProbeHandler", 2: "initialDelaySeconds:int32", 3: "timeoutSeconds:int32", 4: "periodSeconds:int32",
    5: "successThreshold:int32", 6: "failureThreshold:int32", 7: "terminationGracePeriodSeconds:int64?",
  },
  // Probe.handler and Lifecycle's postStart/preStop share these three numbers.
  ProbeHandler: { 1: "exec:ExecAction", 2: "httpGet:HTTPGetAction", 3: "tcpSocket:TCPSocketAction" },
  Lifecycle: { 1: "postStart:ProbeHandler", 2: "preStop:ProbeHandler" },
  ExecAction: { 1: "command:string[]" },
  HTTPGetAction: { 1: "path:string", 2: "port:intOrString", 3: "host:string", 4: "scheme:string", 5: "httpHeaders:HTTPHeader[]" },
  HTTPHeader: { 1: "name:string", 2: "value:string" },
  TCPSocketAction: { 1: "port:intOrString", 2: "host:string" },
  SecurityContext: {
    1: "capabilities:Capabilities", 2: "privileged:bool?", 4: "runAsUser:int64?", 8: "runAsGroup:int64?",
    5: "runAsNonRoot:bool?", 6: "readOnlyRootFilesystem:bool?", 7: "allowPrivilegeEscalation:bool?", 9: "procMount:string?",
  },
  Capabilities: { 1: "add:string[]", 2: "drop:string[]" },
  Volume: { 1: "name:string", 2: "...:VolumeSource" },
  VolumeSource: {
    1: "hostPath:HostPathVolumeSource", 2: "emptyDir:EmptyDirVolumeSource", 6: "secret:SecretVolumeSource",
    10: "persistentVolumeClaim:PersistentVolumeClaimVolumeSource", 19: "configMap:ConfigMapVolumeSource",
  },
  HostPathVolumeSource: { 1: "path:string", 2: "type:string?" },
  EmptyDirVolumeSource: { 1: "medium:string", 2: "sizeLimit:quantity?" },
  SecretVolumeSource: { 1: "secretName:string", 2: "items:KeyToPath[]", 3: "defaultMode:int32?", 4: "optional:bool?" },
  ConfigMapVolumeSource: { 1: "...:LocalObjectReference", 2: "items:KeyToPath[]", 3: "defaultMode:int32?", 4: "optional:bool?" },
  KeyToPath: { 1: "key:string", 2: "path:string", 3: "mode:int32?" },
  PersistentVolumeClaimVolumeSource: { 1: "claimName:string", 2: "readOnly:bool" },

  Service: { 1: "metadata:ObjectMeta", 2: "spec:ServiceSpec", 3: "status:ServiceStatus" },
  ServiceSpec: {
    1: "ports:ServicePort[]", 2: "selector:map", 3: "clusterIP:string", 18: "clusterIPs:string[]", 4: "type:string",
    5: "externalIPs:string[]", 7: "sessionAffinity:string", 8: "loadBalancerIP:string",
    9: "loadBalancerSourceRanges:string[]", 10: "externalName:string", 11: "externalTrafficPolicy:string",
    12: "healthCheckNodePort:int32", 13: "publishNotReadyAddresses:bool", 14: "sessionAffinityConfig:SessionAffinityConfig",
    19: "ipFamilies:string[]", 17: "ipFamilyPolicy:string?", 20: "allocateLoadBalancerNodePorts:bool?",
    21: "loadBalancerClass:string?", 22: "internalTrafficPolicy:string?",
  },
  ServicePort: { 1: "name:string", 2: "protocol:string", 6: "appProtocol:string?", 3: "port:int32", 4: "targetPort:intOrString", 5: "nodePort:int32" },
  SessionAffinityConfig: { 1: "clientIP:ClientIPConfig" },
  ClientIPConfig: { 1: "timeoutSeconds:int32?" },
  ServiceStatus: { 1: "loadBalancer:LoadBalancerStatus" },
  LoadBalancerStatus: { 1: "ingress:LoadBalancerIngress[]" },
  LoadBalancerIngress: { 1: "ip:string", 2: "hostname:string" },
};

const APPS: Table = {
  Deployment: { 1: "metadata:ObjectMeta", 2: "spec:DeploymentSpec", 3: "status:DeploymentStatus" },
  DeploymentSpec: {
    1: "replicas:int32?", 2: "selector:LabelSelector", 3: "template:PodTemplateSpec", 4: "strategy:DeploymentStrategy",
    5: "minReadySeconds:int32", 6: "revisionHistoryLimit:int32?", 7: "paused:bool", 9: "progressDeadlineSeconds:int32?",
    10: "podReplacementPolicy:string?",
  },
  DeploymentStrategy: { 1: "type:string", 2: "rollingUpdate:RollingUpdateDeployment" },
  RollingUpdateDeployment: { 1: "maxUnavailable:intOrString?", 2: "maxSurge:intOrString?" },
  DeploymentStatus: {
    1: "observedGeneration:int64", 2: "replicas:int32", 3: "updatedReplicas:int32", 7: "readyReplicas:int32",
    4: "availableReplicas:int32", 5: "unavailableReplicas:int32", 6: "conditions:DeploymentCondition[]", 8: "collisionCount:int32?",
  },
  DeploymentCondition: {
    1: "type:string", 2: "status:string", 6: "lastUpdateTime:time", 7: "lastTransitionTime:time", 4: "reason:string", 5: "message:string",
  },
  ReplicaSet: { 1: "metadata:ObjectMeta", 2: "spec:ReplicaSetSpec", 3: "status:ReplicaSetStatus" },
  ReplicaSetSpec: { 1: "replicas:int32?", 4: "minReadySeconds:int32", 2: "selector:LabelSelector", 3: "template:PodTemplateSpec" },
  ReplicaSetStatus: {
    1: "replicas:int32", 2: "fullyLabeledReplicas:int32", 4: "readyReplicas:int32", 5: "availableReplicas:int32",
    3: "observedGeneration:int64",
  },
};

/** authentication.k8s.io, authorization.k8s.io and rbac.authorization.k8s.io v1: what `kubectl create token|role|rolebinding` and `kubectl auth` send. */
const AUTH: Table = {
  TokenRequest: { 1: "metadata:ObjectMeta", 2: "spec:TokenRequestSpec" },
  TokenRequestSpec: { 1: "audiences:string[]", 4: "expirationSeconds:int64?", 3: "boundObjectRef:BoundObjectReference" },
  BoundObjectReference: { 1: "kind:string", 2: "apiVersion:string", 3: "name:string", 4: "uid:string" },
  TokenReview: { 1: "metadata:ObjectMeta", 2: "spec:TokenReviewSpec" },
  TokenReviewSpec: { 1: "token:string", 2: "audiences:string[]" },
  SelfSubjectReview: { 1: "metadata:ObjectMeta" },
  SubjectAccessReview: { 1: "metadata:ObjectMeta", 2: "spec:SubjectAccessReviewSpec" },
  SubjectAccessReviewSpec: { 1: "resourceAttributes:ResourceAttributes", 2: "nonResourceAttributes:NonResourceAttributes", 3: "user:string", 4: "groups:string[]", 6: "uid:string" },
  SelfSubjectAccessReview: { 1: "metadata:ObjectMeta", 2: "spec:SelfSubjectAccessReviewSpec" },
  SelfSubjectAccessReviewSpec: { 1: "resourceAttributes:ResourceAttributes", 2: "nonResourceAttributes:NonResourceAttributes" },
  ResourceAttributes: { 1: "namespace:string", 2: "verb:string", 3: "group:string", 4: "version:string", 5: "resource:string", 6: "subresource:string", 7: "name:string" },
  NonResourceAttributes: { 1: "path:string", 2: "verb:string" },
  SelfSubjectRulesReview: { 1: "metadata:ObjectMeta", 2: "spec:SelfSubjectRulesReviewSpec" },
  SelfSubjectRulesReviewSpec: { 1: "namespace:string" },
  Role: { 1: "metadata:ObjectMeta", 2: "rules:PolicyRule[]" },
  ClusterRole: { 1: "metadata:ObjectMeta", 2: "rules:PolicyRule[]", 3: "aggregationRule:AggregationRule" },
  PolicyRule: { 1: "verbs:string[]", 2: "apiGroups:string[]", 3: "resources:string[]", 4: "resourceNames:string[]", 5: "nonResourceURLs:string[]" },
  AggregationRule: { 1: "clusterRoleSelectors:LabelSelector[]" },
  RoleBinding: { 1: "metadata:ObjectMeta", 2: "subjects:Subject[]", 3: "roleRef:RoleRef" },
  Subject: { 1: "kind:string", 2: "apiGroup:string", 3: "name:string", 4: "namespace:string" },
  RoleRef: { 1: "apiGroup:string", 2: "kind:string", 3: "name:string" },
};

/** Top-level objects by `apiVersion/kind`, as named in the runtime.Unknown envelope. */
export const ROOTS: Readonly<Record<string, string>> = {
  "v1/Namespace": "Namespace",
  "v1/ConfigMap": "ConfigMap",
  "v1/Secret": "Secret",
  "v1/ServiceAccount": "ServiceAccount",
  "v1/Pod": "Pod",
  "v1/Service": "Service",
  "apps/v1/Deployment": "Deployment",
  "apps/v1/ReplicaSet": "ReplicaSet",
  "authentication.k8s.io/v1/TokenRequest": "TokenRequest",
  "authentication.k8s.io/v1/TokenReview": "TokenReview",
  "authentication.k8s.io/v1/SelfSubjectReview": "SelfSubjectReview",
  "authorization.k8s.io/v1/SubjectAccessReview": "SubjectAccessReview",
  "authorization.k8s.io/v1/LocalSubjectAccessReview": "SubjectAccessReview",
  "authorization.k8s.io/v1/SelfSubjectAccessReview": "SelfSubjectAccessReview",
  "authorization.k8s.io/v1/SelfSubjectRulesReview": "SelfSubjectRulesReview",
  "rbac.authorization.k8s.io/v1/Role": "Role",
  "rbac.authorization.k8s.io/v1/ClusterRole": "ClusterRole",
  "rbac.authorization.k8s.io/v1/RoleBinding": "RoleBinding",
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": "RoleBinding",
};

/** Kinds a client may send under any group version (DeleteOptions rides on every delete). */
export const ANY_VERSION_ROOTS: Readonly<Record<string, string>> = { DeleteOptions: "DeleteOptions" };

const SCALARS = new Set<string>(["string", "bytes", "int32", "int64", "bool", "intOrString", "quantity", "time"]);
const MAP_VALUES: Record<string, MapValue> = { map: "string", "map<bytes>": "bytes", "map<quantity>": "quantity" };

function parseField(owner: string, no: number, text: string, known: Set<string>): FieldSpec {
  const m = /^(\.\.\.|[A-Za-z][A-Za-z0-9]*):([A-Za-z0-9<>]+)(\[\])?(\?)?$/.exec(text);
  if (!m) throw new Error(`protobuf schema ${owner}.${no}: cannot parse ${JSON.stringify(text)}`);
  const [, name, typeName, repeated, pointer] = m;
  let type: FieldType;
  if (SCALARS.has(typeName)) type = typeName as ScalarType;
  else if (MAP_VALUES[typeName]) type = { map: MAP_VALUES[typeName] };
  else if (known.has(typeName)) type = { message: typeName };
  else throw new Error(`protobuf schema ${owner}.${no}: unknown type ${typeName}`);
  const inline = name === "...";
  if (inline && typeof type !== "object") throw new Error(`protobuf schema ${owner}.${no}: only a message can be inlined`);
  return { name, type, repeated: !!repeated, pointer: !!pointer, inline };
}

/** Compiles the tables; a typo in a row is a programming error and fails at import time. */
function compile(tables: Table[]): ReadonlyMap<string, MessageSchema> {
  const all: Table = Object.assign({}, ...tables);
  const known = new Set(Object.keys(all));
  const out = new Map<string, MessageSchema>();
  for (const [msg, fields] of Object.entries(all)) {
    const schema = new Map<number, FieldSpec>();
    for (const [no, text] of Object.entries(fields)) schema.set(Number(no), parseField(msg, Number(no), text, known));
    out.set(msg, schema);
  }
  for (const root of [...Object.values(ROOTS), ...Object.values(ANY_VERSION_ROOTS)]) {
    if (!out.has(root)) throw new Error(`protobuf schema: root ${root} has no message`);
  }
  return out;
}

export const SCHEMAS = compile([META, CORE, APPS, AUTH]);

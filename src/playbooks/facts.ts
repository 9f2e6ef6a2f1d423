/**
 * The diagnosis facts the playbook library reads — the contract between the diagnosis agent
 * (embedded rules or LLM) and the playbooks. The names follow what agents/diagnosis/rules emit.
 * Facts are optional: where a playbook can find the same thing in the cluster it has a resolver
 * as the fallback; facts named in a `match.when` (remedies, rolloutPrecededOnset, cpuSaturated,
 * transient) are the diagnosis's judgement and have none. Structured facts travel as text: a list
 * as "a,b", a map as JSON. This table is documentation (and `stratus playbook show`); a playbook
 * may read other facts too.
 */
export const KNOWN_FACTS: Readonly<Record<string, string>> = {
  finding: "string: what the diagnosis saw, e.g. service-port-mismatch, oom-killed, pvc-unbound",
  remedies: "string: the fixes that apply, best first, comma-separated (rollout-undo, scale-back, ...); agents/mitigation maps each to its playbook",
  rolloutPrecededOnset: "boolean: the Deployment's latest rollout began shortly before the incident's onset",
  previousRevision: "integer: the Deployment revision before the current one",
  preIncidentReplicas: "integer: the replica count the Deployment had before the incident",
  servedPort: "integer: the container port the Service's pods serve",
  container: "string: the container the symptom is in",
  badNodeSelectorKeys: "list (\"a,b\"): the nodeSelector keys no node satisfies",
  selector: "labels (JSON): the labels that select the Deployment's pods",
  configMap: "string: the ConfigMap whose value is wrong",
  key: "string: the key in that ConfigMap (configKey is accepted too)",
  lastGoodValue: "string: the value that key had before the incident",
  usersSecret: "string: the Secret a database reads its users from (secret is accepted too)",
  usersKey: "string: the key of the user list in that Secret",
  database: "string: the database Deployment",
  networkPolicy: "string: the NetworkPolicy that blocks the traffic",
  chaosKind: "string: the chaos-mesh.org kind of an experiment in the way",
  chaosName: "string: that experiment's name",
  pvc: "string: the PersistentVolumeClaim that is Pending (claim is accepted too)",
  validStorageClass: "string: a StorageClass that exists, to use instead",
  deployment: "string: the Deployment behind a Service, ConfigMap or Secret",
  cpuSaturated: "boolean: the workload's pods run at their CPU limit and latency rose with it",
  transient: "boolean: the failure looks transient — pods stuck after a blip that has passed",
};

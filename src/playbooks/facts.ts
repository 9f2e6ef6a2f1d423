/**
 * The diagnosis facts the playbook library reads — the contract between the diagnosis agent
 * (embedded or LLM) and the playbooks. Facts are optional: where a playbook can find the same
 * thing in the cluster, it has a resolver as a fallback; facts named in a `match.when` are the
 * diagnosis's judgement and have no fallback. Names here are documentation and for
 * `stratus playbook show`; a playbook may read other facts too.
 */
export const KNOWN_FACTS: Readonly<Record<string, string>> = {
  rolloutPrecededOnset: "boolean: the Deployment's latest rollout began shortly before the incident's onset",
  previousRevision: "integer: the Deployment revision before the current one",
  preIncidentReplicas: "integer: the replica count the Deployment had before the incident",
  servedPort: "integer: the container port the Service's pods serve",
  container: "string: the container the symptom is in",
  oomKilled: "boolean: a container was OOMKilled (exit 137, reason OOMKilled)",
  cpuSaturated: "boolean: the workload's pods run at their CPU limit and latency rose with it",
  transient: "boolean: the failure looks transient — pods stuck after a blip that has passed",
  configMap: "string: the ConfigMap whose value is wrong",
  configKey: "string: the key in that ConfigMap (or Secret)",
  secret: "string: the Secret whose value is wrong",
  networkPolicy: "string: the NetworkPolicy that blocks the traffic",
  chaosKind: "string: the chaos-mesh.org kind of an experiment in the way",
  chaosName: "string: that experiment's name",
  claim: "string: the PersistentVolumeClaim that is Pending",
  deployment: "string: the Deployment behind a Service, ConfigMap or Secret",
};

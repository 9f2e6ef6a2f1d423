/**
 * NetworkPolicy (networking.k8s.io/v1): policyTypes derived when unset (Ingress, plus Egress when
 * egress rules are given), an empty podSelector and TCP ports by default, the policyTypes and port
 * checks of ValidateNetworkPolicy, and the `kubectl get networkpolicies` columns.
 */
import { formatLabelSelector, labelSelectorFromObject, SelectorError } from "../selectors.ts";
import { age } from "../table.ts";
import type { FieldCause } from "../types.ts";
import { invalidValue, unsupported, type KindBehaviour } from "./kind.ts";
import { AGE_COLUMN, col, invalidEach, isObject, NAME_COLUMN, PORT_RANGE_MESSAGE, portNameErrors, validPort } from "./common.ts";

const POLICY_TYPES = ["Ingress", "Egress"];

export const networkPolicyKind: KindBehaviour = {
  group: "networking.k8s.io",
  kind: "NetworkPolicy",
  default(obj) {
    if (!isObject(obj.spec)) obj.spec = {};
    const spec = obj.spec;
    if (!isObject(spec.podSelector)) spec.podSelector = {};
    if (!Array.isArray(spec.policyTypes) || !spec.policyTypes.length) {
      spec.policyTypes = Array.isArray(spec.egress) && spec.egress.length ? ["Ingress", "Egress"] : ["Ingress"];
    }
    for (const dir of ["ingress", "egress"]) {
      for (const rule of Array.isArray(spec[dir]) ? spec[dir] : []) {
        for (const p of Array.isArray(rule?.ports) ? rule.ports : []) if (isObject(p)) p.protocol ||= "TCP";
      }
    }
  },
  validate(obj) {
    const spec = obj.spec;
    const causes: FieldCause[] = [];
    try {
      labelSelectorFromObject(spec.podSelector);
    } catch (e) {
      if (!(e instanceof SelectorError)) throw e;
      causes.push(invalidValue("spec.podSelector", spec.podSelector, e.message));
    }
    if (spec.policyTypes.length > 2) causes.push(invalidValue("spec.policyTypes", spec.policyTypes, "may not specify more than two policyTypes"));
    for (const [i, t] of spec.policyTypes.entries()) if (!POLICY_TYPES.includes(t)) causes.push(unsupported(`spec.policyTypes[${i}]`, t, POLICY_TYPES));
    for (const dir of ["ingress", "egress"]) {
      (Array.isArray(spec[dir]) ? spec[dir] : []).forEach((rule: any, i: number) => {
        (Array.isArray(rule?.ports) ? rule.ports : []).forEach((p: any, j: number) => {
          const at = `spec.${dir}[${i}].ports[${j}]`;
          if (!["SCTP", "TCP", "UDP"].includes(p?.protocol)) causes.push(unsupported(`${at}.protocol`, p?.protocol, ["SCTP", "TCP", "UDP"]));
          if (typeof p?.port === "string") causes.push(...invalidEach(`${at}.port`, p.port, portNameErrors(p.port)));
          else if (p?.port !== undefined && !validPort(p.port)) causes.push(invalidValue(`${at}.port`, p.port, PORT_RANGE_MESSAGE));
          if (p?.endPort !== undefined) {
            if (typeof p.port !== "number") causes.push({ reason: "FieldValueRequired", field: `${at}.port`, message: "Required value: When endPort is specified, port must be specified and numeric" });
            else if (!validPort(p.endPort) || p.endPort < p.port) causes.push(invalidValue(`${at}.endPort`, p.endPort, "must be greater than or equal to `port`"));
          }
        });
      });
    }
    return causes;
  },
  table: {
    columns: [NAME_COLUMN, col("Pod-Selector", "string", false, "Select the pods to which this NetworkPolicy object applies."), AGE_COLUMN],
    cells(np, now) {
      let selector: string;
      try {
        selector = formatLabelSelector(np.spec?.podSelector ?? {});
      } catch {
        selector = "<invalid>";
      }
      return [np.metadata.name, selector, age(np.metadata.creationTimestamp, now)];
    },
  },
};

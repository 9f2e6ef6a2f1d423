/**
 * NetworkPolicy semantics, as a CNI that enforces them would apply them to one connection. A pod
 * selected by a policy with policyType Ingress accepts only what some such policy's ingress rule
 * allows (peers by podSelector, namespaceSelector — both together meaning "these pods in those
 * namespaces" — or ipBlock; ports by number, name or range; an empty `from` or `ports` allowing
 * all); a pod selected by an Egress policy may likewise only send what an egress rule allows.
 * Policies are additive; a pod no policy selects is open. What is not allowed is silently
 * dropped, so the caller sees a timeout.
 */
import { labelSelectorFromObject, matchesLabelSelector, type LabelSelector } from "../api/selectors.ts";
import type { KObject } from "../api/types.ts";

/** One end of a connection: a pod, or a client outside the cluster (just an IP). */
export type Peer = {
  namespace?: string;
  labels?: Record<string, string>;
  ip: string;
  /** Named container ports of the pod, for rules that name their port. */
  namedPorts?: Record<string, number>;
};

type ParsedPeer = { pods?: LabelSelector; namespaces?: LabelSelector; cidr?: string; except: string[] };
type ParsedPort = { protocol: string; port?: number | string; endPort?: number };
type ParsedRule = { peers: ParsedPeer[] | undefined; ports: ParsedPort[] | undefined };
export type ParsedPolicy = {
  namespace: string;
  podSelector: LabelSelector;
  ingress: ParsedRule[] | undefined;
  egress: ParsedRule[] | undefined;
};

const never: LabelSelector = { requirements: [{ key: "\u0000", operator: "Exists", values: [] }] };

function selector(obj: unknown): LabelSelector {
  try {
    return labelSelectorFromObject((obj ?? {}) as any);
  } catch {
    return never; // an invalid selector selects nothing (admission keeps these out anyway)
  }
}

function parseRules(rules: unknown, peerKey: "from" | "to"): ParsedRule[] {
  return (Array.isArray(rules) ? rules : []).map((r: any) => ({
    peers: Array.isArray(r?.[peerKey]) && r[peerKey].length
      ? r[peerKey].map((p: any): ParsedPeer => ({
          pods: p?.podSelector ? selector(p.podSelector) : undefined,
          namespaces: p?.namespaceSelector ? selector(p.namespaceSelector) : undefined,
          cidr: p?.ipBlock?.cidr,
          except: Array.isArray(p?.ipBlock?.except) ? p.ipBlock.except : [],
        }))
      : undefined,
    ports: Array.isArray(r?.ports) && r.ports.length ? r.ports.map((p: any) => ({ protocol: p?.protocol ?? "TCP", port: p?.port, endPort: p?.endPort })) : undefined,
  }));
}

export function parsePolicy(np: KObject): ParsedPolicy {
  const spec = np.spec ?? {};
  const types: string[] = Array.isArray(spec.policyTypes) && spec.policyTypes.length ? spec.policyTypes : (Array.isArray(spec.egress) && spec.egress.length ? ["Ingress", "Egress"] : ["Ingress"]);
  return {
    namespace: np.metadata.namespace ?? "default",
    podSelector: selector(spec.podSelector),
    ingress: types.includes("Ingress") ? parseRules(spec.ingress, "from") : undefined,
    egress: types.includes("Egress") ? parseRules(spec.egress, "to") : undefined,
  };
}

function ipToInt(ip: string): number | undefined {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function cidrContains(cidr: string, ip: string): boolean {
  const [base, bitsRaw] = cidr.split("/");
  const b = ipToInt(base);
  const i = ipToInt(ip);
  const bits = Number(bitsRaw ?? 32);
  if (b === undefined || i === undefined || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((b & mask) >>> 0) === ((i & mask) >>> 0);
}

function peerMatches(peer: ParsedPeer, policyNs: string, other: Peer, nsLabels: (ns: string) => Record<string, string> | undefined): boolean {
  if (peer.cidr) return cidrContains(peer.cidr, other.ip) && !peer.except.some((e) => cidrContains(e, other.ip));
  if (other.namespace === undefined) return false; // selectors pick pods, never outside clients
  if (peer.namespaces) {
    if (!matchesLabelSelector(peer.namespaces, nsLabels(other.namespace) ?? {})) return false;
  } else if (other.namespace !== policyNs) return false;
  return peer.pods ? matchesLabelSelector(peer.pods, other.labels ?? {}) : true;
}

function portMatches(ports: ParsedPort[] | undefined, port: number, protocol: string, target: Peer): boolean {
  if (!ports) return true;
  return ports.some((p) => {
    if (p.protocol !== protocol) return false;
    if (p.port === undefined) return true;
    const n = typeof p.port === "number" ? p.port : /^\d+$/.test(p.port) ? Number(p.port) : target.namedPorts?.[p.port];
    if (n === undefined) return false;
    return p.endPort !== undefined ? port >= n && port <= p.endPort : port === n;
  });
}

/** Whether `from` may open a connection to `to` on `port`, under the policies of both ends. */
export function connectionAllowed(
  policies: ParsedPolicy[], from: Peer, to: Peer, port: number, nsLabels: (ns: string) => Record<string, string> | undefined, protocol = "TCP",
): boolean {
  if (to.namespace !== undefined) {
    const isolating = policies.filter((p) => p.ingress && p.namespace === to.namespace && matchesLabelSelector(p.podSelector, to.labels ?? {}));
    if (isolating.length && !isolating.some((p) => p.ingress!.some((r) =>
      (!r.peers || r.peers.some((peer) => peerMatches(peer, p.namespace, from, nsLabels))) && portMatches(r.ports, port, protocol, to)))) return false;
  }
  if (from.namespace !== undefined) {
    const isolating = policies.filter((p) => p.egress && p.namespace === from.namespace && matchesLabelSelector(p.podSelector, from.labels ?? {}));
    if (isolating.length && !isolating.some((p) => p.egress!.some((r) =>
      (!r.peers || r.peers.some((peer) => peerMatches(peer, p.namespace, to, nsLabels))) && portMatches(r.ports, port, protocol, to)))) return false;
  }
  return true;
}

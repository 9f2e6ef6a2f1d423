/**
 * Endpoints: port protocol defaulting to TCP, address and port validation, and the
 * `kubectl get endpoints` columns (NAME ENDPOINTS AGE) with ENDPOINTS formatted as kubectl does:
 * `ip:port` pairs, at most three, then "+ N more...", `<none>` when there are no subsets.
 */
import { age } from "../table.ts";
import type { FieldCause, KObject } from "../types.ts";
import { invalidValue, required, unsupported, type KindBehaviour } from "./kind.ts";
import { AGE_COLUMN, col, isObject, NAME_COLUMN, PORT_RANGE_MESSAGE, validPort } from "./common.ts";

export const endpointsKind: KindBehaviour = {
  group: "",
  kind: "Endpoints",
  default(obj) {
    if (!Array.isArray(obj.subsets)) return;
    for (const s of obj.subsets) for (const p of Array.isArray(s?.ports) ? s.ports : []) if (isObject(p)) p.protocol ||= "TCP";
  },
  validate(obj) {
    const causes: FieldCause[] = [];
    if (obj.subsets === undefined || obj.subsets === null) return causes;
    if (!Array.isArray(obj.subsets)) return [invalidValue("subsets", obj.subsets, "must be a list of subsets")];
    obj.subsets.forEach((s: any, i: number) => {
      const at = `subsets[${i}]`;
      for (const part of ["addresses", "notReadyAddresses"]) {
        (Array.isArray(s?.[part]) ? s[part] : []).forEach((a: any, j: number) => {
          if (!a?.ip) causes.push(required(`${at}.${part}[${j}].ip`));
          else if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(a.ip) && !a.ip.includes(":")) causes.push(invalidValue(`${at}.${part}[${j}].ip`, a.ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
        });
      }
      (Array.isArray(s?.ports) ? s.ports : []).forEach((p: any, j: number) => {
        if (!validPort(p?.port)) causes.push(invalidValue(`${at}.ports[${j}].port`, p?.port ?? 0, PORT_RANGE_MESSAGE));
        if (!["SCTP", "TCP", "UDP"].includes(p?.protocol)) causes.push(unsupported(`${at}.ports[${j}].protocol`, p?.protocol, ["SCTP", "TCP", "UDP"]));
      });
    });
    return causes;
  },
  table: {
    columns: [NAME_COLUMN, col("Endpoints", "string", false, "Endpoints of the service"), AGE_COLUMN],
    cells(ep, now) {
      return [ep.metadata.name, formatEndpoints(ep), age(ep.metadata.creationTimestamp, now)];
    },
  },
};

/** kubectl's formatEndpoints: "10.244.1.5:8080,10.244.2.3:8080", "+ N more..." past three. */
export function formatEndpoints(ep: KObject): string {
  const subsets: any[] = Array.isArray(ep.subsets) ? ep.subsets : [];
  if (!subsets.length) return "<none>";
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses: any[] = ss?.addresses ?? [];
    const ports: any[] = ss?.ports ?? [];
    if (!ports.length) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) { more = true; break; }
        list.push(a.ip);
      }
      continue;
    }
    for (const p of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) { more = true; break; }
        list.push(String(a.ip).includes(":") ? `[${a.ip}]:${p.port}` : `${a.ip}:${p.port}`);
      }
    }
  }
  const joined = list.join(",");
  return more ? `${joined} + ${count - max} more...` : joined;
}

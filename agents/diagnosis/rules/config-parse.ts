/**
 * config-parse: a Deployment's containers crash at start with a parse error about their
 * configuration, and a ConfigMap they read holds the bad value. Which ConfigMap and key: the one
 * the tracker saw change near the onset, else the one whose JSON has the field the error names.
 * The value to restore is the tracker's pre-onset value; failing that, a repair of the named field
 * to the type the error wants (a quoted number back to a number). A rollout that only restarted
 * pods is not the cause (rolling it back would not touch the ConfigMap).
 */
import type { Hypothesis } from "../../../src/incident/types.ts";
import { referencedObjects } from "../../observe/lookups.ts";
import { grep, PARSE_ERROR, unmarshalMismatch } from "../patterns.ts";
import { hypothesis, deploymentRef, type Rule } from "../rule.ts";
import { changesNearOnset, crashing, deploymentOnPath, deploymentsIn, logEvidence, textOf } from "./util.ts";

export const configParseRule: Rule = {
  name: "config-parse",
  analyze(ctx) {
    const out: Hypothesis[] = [];
    for (const d of deploymentsIn(ctx)) {
      if (!crashing(ctx, d).length) continue;
      const errors = grep(textOf(ctx, d), PARSE_ERROR, 3);
      if (!errors.length) continue;
      const mismatch = errors.map(unmarshalMismatch).find((m) => m);
      const refs = referencedObjects(d).configMaps;
      let chosen: { name: string; key?: string; evidence: Hypothesis["evidence"] } | undefined;
      for (const cm of refs) {
        const c = changesNearOnset(ctx, "ConfigMap", cm);
        if (c.changes.length) {
          const key = c.changes.flatMap((x) => x.what).filter((w) => w.startsWith("data.")).map((w) => w.slice("data.".length))[0];
          chosen = { name: cm, key, evidence: c.evidence };
          break;
        }
      }
      if (!chosen && mismatch) {
        for (const cm of refs) {
          const data = (ctx.idx.configMap(ctx.namespace, cm)?.data ?? {}) as Record<string, string>;
          const key = Object.keys(data).find((k) => (mismatch.field === "*" ? repair(data[k], mismatch) !== undefined : jsonField(data[k], mismatch.field) !== undefined));
          if (key) {
            chosen = { name: cm, key, evidence: [] };
            break;
          }
        }
      }
      if (!chosen && refs.length === 1) chosen = { name: refs[0], evidence: [] };
      if (!chosen) continue;
      const cm = ctx.idx.configMap(ctx.namespace, chosen.name);
      const data = (cm?.data ?? {}) as Record<string, string>;
      const key = chosen.key ?? Object.keys(data)[0];
      const lastGood = key ? ctx.tracker?.priorValue("ConfigMap", ctx.namespace, chosen.name, key, ctx.onset) : undefined;
      const repaired = key && mismatch ? repair(data[key], mismatch) : undefined;
      const usable = lastGood !== undefined && lastGood !== data[key] ? lastGood : repaired;
      let confidence = 0.75;
      if (chosen.evidence.length) confidence += 0.12;
      if (mismatch) confidence += 0.05;
      if (deploymentOnPath(ctx, d)) confidence += 0.03;
      out.push(hypothesis({
        finding: "config-unparsable",
        rootCause: deploymentRef(d),
        summary: `Deployment ${d.metadata.name} crashes parsing its configuration: ConfigMap ${chosen.name}${key ? ` key ${key}` : ""} holds a value it cannot read${mismatch ? ` (${mismatch.field} is a ${mismatch.got}, it needs ${mismatch.want})` : ""}`,
        confidence,
        evidence: [...errors.map((l) => logEvidence(d, l)), ...chosen.evidence, { source: "spec", entity: deploymentRef(d), fact: `Deployment ${d.metadata.name} reads ConfigMap(s) ${refs.join(", ")}` }],
        facts: { deployment: d.metadata.name, configMap: chosen.name, key: key ?? null, configKey: key ?? null, lastGoodValue: usable ?? null, restoredFrom: lastGood !== undefined && usable === lastGood ? "history" : usable ? "repair" : null },
        remedies: usable !== undefined ? ["restore-config"] : [],
      }));
    }
    return out;
  },
};

/** The value of a top-level field of a JSON document, or undefined. */
function jsonField(text: string | undefined, field: string): unknown {
  try {
    const o = JSON.parse(text ?? "");
    return o && typeof o === "object" && field in o ? o[field] : undefined;
  } catch {
    return undefined;
  }
}

/** The document with `field` turned back into the type the error wants, when that is possible. */
function repair(text: string | undefined, m: { field: string; want: string }): string | undefined {
  if (!text) return undefined;
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  const numeric = /^(u?int\d*|float\d*|number)$/i.test(m.want);
  if (m.field === "*") {
    // The decoder did not say which field: turn back every top-level quoted number when a number was wanted.
    if (!numeric || !doc || typeof doc !== "object") return undefined;
    let out = text;
    for (const [k, val] of Object.entries(doc)) {
      if (typeof val === "string" && /^-?\d+(\.\d+)?$/.test(val.trim())) out = repair(out, { field: k, want: "number" }) ?? out;
    }
    return out === text ? undefined : out;
  }
  const v = doc[m.field];
  if (numeric && typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) {
    // Replace only that value in the original text, keeping its layout.
    const re = new RegExp(`("${m.field}"\\s*:\\s*)"${v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`);
    return re.test(text) ? text.replace(re, `$1${Number(v)}`) : `${JSON.stringify({ ...doc, [m.field]: Number(v) }, null, 2)}\n`;
  }
  if (m.want === "string" && typeof v === "number") return text.replace(new RegExp(`("${m.field}"\\s*:\\s*)${v}`), `$1"${v}"`);
  return undefined;
}

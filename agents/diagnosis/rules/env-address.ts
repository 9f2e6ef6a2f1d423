/**
 * env-address: a Deployment's containers cannot reach an address their env gives them — the host
 * is no Service in the namespace, or the Service has no such port — and they crash or never get
 * Ready ("no reachable servers", "no such host"). The value to restore is the previous revision's
 * when the latest revision changed the env, else an address naming the Service the host was
 * evidently meant to be (the Service whose name the bad host starts with).
 */
import type { KubeObject } from "../../../src/kube/types.ts";
import type { Hypothesis } from "../../../src/incident/types.ts";
import { CONN_REFUSED, grep, UNREACHABLE } from "../patterns.ts";
import { containerOf, nearOnset, relativeToOnset, revisionDiff, touches } from "../revisions.ts";
import { hypothesis, deploymentRef, type Remedy, type Rule } from "../rule.ts";
import { containersOf, crashing, deploymentOnPath, deploymentsIn, logEvidence, servicesIn, textOf } from "./util.ts";

type Env = { name: string; value?: string };

export const envAddressRule: Rule = {
  name: "env-address",
  analyze(ctx) {
    const out: Hypothesis[] = [];
    const services = servicesIn(ctx);
    for (const d of deploymentsIn(ctx)) {
      const failing = [...crashing(ctx, d), ...containersOf(ctx, d).filter(({ cs }) => cs.state?.running && cs.ready === false)];
      if (!failing.length) continue;
      const name = failing[0].cs.name;
      const container = containerOf(d, name);
      const bad = ((container?.env ?? []) as Env[]).map((e) => ({ e, problem: addressProblem(e.value, ctx.namespace, services) })).filter((x) => x.problem);
      if (!bad.length) continue;
      const { e, problem } = bad[0];
      const rev = revisionDiff(ctx.idx, d);
      const prev = ((containerOf(rev.previous, name)?.env ?? []) as Env[]).find((x) => x.name === e.name)?.value;
      const changed = touches(rev.changed, "env") && prev !== undefined && prev !== e.value && !addressProblem(prev, ctx.namespace, services);
      const guess = changed ? prev : nearestService(e.value!, services);
      const lines = grep(textOf(ctx, d), UNREACHABLE, 2).concat(grep(textOf(ctx, d), CONN_REFUSED, 1));
      let confidence = 0.75;
      if (lines.length) confidence += 0.1;
      if (changed) confidence += 0.07;
      if (changed && nearOnset(rev.createdAt, ctx.onset)) confidence += 0.03;
      if (deploymentOnPath(ctx, d)) confidence += 0.02;
      const remedies: Remedy[] = changed ? ["rollout-undo", "restore-env"] : guess ? ["restore-env"] : [];
      out.push(hypothesis({
        finding: "bad-address-env",
        rootCause: deploymentRef(d),
        summary: `Deployment ${d.metadata.name} sets ${e.name}=${e.value}, but ${problem}${changed ? ` (it was ${prev} before revision ${rev.currentRevision})` : ""}`,
        confidence,
        evidence: [
          { source: "spec", entity: deploymentRef(d), fact: `container ${name} env ${e.name}=${e.value}: ${problem}` },
          ...(changed ? [{ source: "history" as const, entity: deploymentRef(d), fact: `revision ${rev.currentRevision} changed ${e.name} ${prev} → ${e.value}${rev.createdAt ? `, ${relativeToOnset(rev.createdAt, ctx.onset)}` : ""}` }] : []),
          ...failing.slice(0, 2).map(({ pod, cs }) => ({ source: "pod-status" as const, entity: { kind: "Pod", namespace: ctx.namespace, name: pod.metadata.name }, fact: `pod ${pod.metadata.name} container ${cs.name}: ${cs.state?.waiting?.reason ?? "not Ready"}, ${cs.restartCount ?? 0} restart(s)` })),
          ...lines.map((l) => logEvidence(d, l)),
        ],
        facts: { deployment: d.metadata.name, container: name, rolloutPrecededOnset: changed && nearOnset(rev.createdAt, ctx.onset), envName: e.name, badValue: e.value ?? null, lastGoodValue: guess ?? null, previousRevision: rev.previousRevision ?? null },
        remedies,
      }));
    }
    return out;
  },
};

/** Why an env value that looks like an in-cluster address (host:port or URL) does not lead anywhere; undefined when it does or is no address. */
export function addressProblem(value: string | undefined, namespace: string, services: KubeObject[]): string | undefined {
  const addr = parseAddress(value);
  if (!addr) return undefined;
  const host = addr.host.replace(new RegExp(`\\.${namespace}(\\.svc(\\.cluster\\.local)?)?$`), "");
  if (host.includes(".") || /^\d+$/.test(host.replace(/\./g, ""))) return undefined; // outside the namespace or an IP: not judged
  const svc = services.find((s) => s.metadata.name === host);
  if (!svc) return `no Service named ${host} exists in ${namespace}`;
  if (addr.port !== undefined && !(svc.spec?.ports ?? []).some((p: { port: number }) => p.port === addr.port)) return `Service ${host} has no port ${addr.port}`;
  return undefined;
}

function parseAddress(value: string | undefined): { host: string; port?: number } | undefined {
  if (!value) return undefined;
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/]+@)?([a-z0-9]([-a-z0-9.]*[a-z0-9])?):(\d{2,5})(\/.*)?$/i.exec(value.trim());
  return m ? { host: m[1].toLowerCase(), port: Number(m[3]) } : undefined;
}

/** The value with its host replaced by the Service whose name the host starts with (longest match). */
function nearestService(value: string, services: KubeObject[]): string | undefined {
  const addr = parseAddress(value);
  if (!addr) return undefined;
  const match = services.map((s) => s.metadata.name).filter((n) => addr.host.startsWith(n) && addr.host !== n).sort((a, b) => b.length - a.length)[0];
  return match ? value.replace(addr.host, match) : undefined;
}

/**
 * The web UI's pages as server-rendered HTML: the layout, login, the incidents list, an incident's
 * timeline, pending approvals and the chain's verification. Pure functions from (already redacted)
 * views to `Html`; every value goes through the escaping `html` template. Styles and the small
 * script are separate files served by the routes (the CSP forbids inline ones).
 */
import type { VerifyResult } from "../../core/ledger/index.ts";
import { summarizeEntry } from "../../core/ledger/index.ts";
import { healthChart } from "./chart.ts";
import { html, join, type Html } from "./html.ts";
import type { IncidentPage, ListParams } from "./incident-list.ts";
import { OUTCOMES } from "./incident-list.ts";
import type { IncidentView, TxView } from "./incident-model.ts";
import type { ObjectDiff } from "./object-diffs.ts";

export const UI_PREFIX = "/ui";
/** Rows of an incident's raw entries table (the timeline above covers them all). */
export const MAX_ENTRY_ROWS = 300;

export type PageContext = { user?: string; readOnly: boolean; csrfHint?: string };

export function layout(title: string, ctx: PageContext, body: Html, attrs: { live?: string } = {}): string {
  const nav = ctx.user
    ? html`<nav><a href="${UI_PREFIX}/incidents">Incidents</a><a href="${UI_PREFIX}/approvals">Approvals</a><a href="${UI_PREFIX}/verify">Chain</a>
<span class="user">${ctx.user}${ctx.readOnly ? " · read-only ledger" : ""}</span>
<form method="post" action="${UI_PREFIX}/logout" class="inline"><button type="submit">Log out</button></form></nav>`
    : html``;
  return `<!doctype html>${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Stratus</title><link rel="stylesheet" href="${UI_PREFIX}/static/app.css"><script src="${UI_PREFIX}/static/app.js" defer></script></head>
<body${attrs.live ? html` data-live="${attrs.live}"` : ""}><header><a class="brand" href="${UI_PREFIX}/incidents">Stratus</a>${nav}</header>
<main>${body}</main><div id="live-banner" hidden>New ledger entries: <a href="">reload</a><ul id="live"></ul></div></body></html>`}`;
}

export function loginPage(message?: string): string {
  return layout("Log in", { readOnly: false }, html`<h1>Log in</h1>
<p>Paste a Kubernetes bearer token. The cluster decides what it may do (TokenReview, then RBAC on <code>incidents.stratus.dev</code>). Get one with:</p>
<pre>kubectl create token NAME -n NAMESPACE --duration 8h</pre>
${message ? html`<p class="error" role="alert">${message}</p>` : ""}
<form method="post" action="${UI_PREFIX}/login" class="login"><label>Token <textarea name="token" rows="4" cols="70" required autocomplete="off" spellcheck="false"></textarea></label>
<button type="submit">Log in</button></form>`);
}

export function errorPage(ctx: PageContext, status: number, message: string): string {
  return layout(`Error ${status}`, ctx, html`<h1>${status}</h1><p class="error" role="alert">${message}</p><p><a href="${UI_PREFIX}/incidents">Back to incidents</a></p>`);
}

const badge = (s: string) => html`<span class="badge ${s}">${s}</span>`;

export function incidentsPage(ctx: PageContext, p: ListParams, page: IncidentPage): string {
  const next = page.next ? new URLSearchParams({ ...Object.fromEntries(Object.entries(p).filter(([k, v]) => k !== "before" && v !== undefined).map(([k, v]) => [k, String(v)])), before: String(page.next) }) : undefined;
  const rows = page.rows.map((r) => html`<tr data-incident="${r.id}"><td><a href="${UI_PREFIX}/incidents/${encodeURIComponent(r.id)}">${r.id}</a></td><td>${r.namespace}</td><td>${r.severity}</td>
<td><time>${r.openedAt}</time></td><td>${r.closedAt ? html`<time>${r.closedAt}</time>` : "—"}</td><td>${badge(r.state)}</td><td>${badge(r.outcome)}</td><td>${r.summary}</td></tr>`);
  return layout("Incidents", ctx, html`<h1>Incidents</h1>
<form method="get" action="${UI_PREFIX}/incidents" class="filters">
<label>Namespace <input name="namespace" value="${p.namespace ?? ""}" placeholder="hotel-reservation"></label>
<label>Object <input name="object" value="${p.object ?? ""}" placeholder="Deployment/ns/name"></label>
<label>Outcome <select name="outcome"><option value="">any</option>${OUTCOMES.map((o) => html`<option${o === p.outcome ? " selected" : ""}>${o}</option>`)}</select></label>
<label>Since <input name="since" value="${p.since ?? ""}" placeholder="2026-01-31T00:00:00Z"></label>
<label>Until <input name="until" value="${p.until ?? ""}"></label>
<button type="submit">Filter</button></form>
${page.rows.length ? html`<table class="list"><thead><tr><th>Incident</th><th>Namespace</th><th>Severity</th><th>Opened</th><th>Closed</th><th>State</th><th>Outcome</th><th>Symptoms</th></tr></thead><tbody>${rows}</tbody></table>` : html`<p class="muted">No incidents match.</p>`}
${page.hidden ? html`<p class="muted" data-hidden="${page.hidden}">${page.hidden} incident(s) on this page are in namespaces your credentials may not read.</p>` : ""}
${page.scanLimited ? html`<p class="muted">Stopped after scanning many incidents without filling the page; narrow the filter or continue.</p>` : ""}
${next ? html`<p><a rel="next" href="${UI_PREFIX}/incidents?${next.toString()}">Older incidents →</a></p>` : ""}`, { live: "all" });
}

type Section = { seq: number; body: Html };

export function incidentPage(ctx: PageContext, v: IncidentView, canDecide: boolean, flash?: string): string {
  const sections: Section[] = [];
  const inc = v.incident;
  if (inc) {
    sections.push({ seq: v.incidentSeq ?? 0, body: html`<li class="step detected" id="detected"><h3>Detected <time>${inc.openedAt}</time></h3>
<p>${badge(inc.severity)} in <b>${inc.namespace}</b>, onset <time>${inc.onsetAt}</time>; affected: ${inc.affected.join(", ") || "—"}</p>
<p>Symptoms:</p><ul>${inc.symptoms.map((s) => html`<li><code>${s}</code></li>`)}</ul>
${inc.evidence.length ? html`<details open><summary>Evidence (${inc.evidence.length})</summary><ul>${inc.evidence.map((e) => html`<li>[${e.source}] ${e.entity ? html`<code>${e.entity.kind}/${e.entity.name}</code> ` : ""}${e.fact}</li>`)}</ul></details>` : ""}</li>` });
  }
  for (const d of v.diagnoses) {
    sections.push({ seq: d.seq, body: html`<li class="step diagnosed"><h3>Diagnosed <time>${d.time}</time> <small>(${d.diagnosis.reasoner} reasoner)</small></h3>
${d.diagnosis.path.length ? html`<p>Path: ${d.diagnosis.path.join(" → ")}</p>` : ""}
<ol class="hypotheses">${d.diagnosis.hypotheses.map((h, i) => html`<li class="hypothesis" data-rank="${i + 1}"><b>${h.summary}</b> — <code>${h.rootCause.kind}/${h.rootCause.namespace ?? ""}/${h.rootCause.name}</code>, ${h.layer} / ${h.type}, confidence ${(h.confidence * 100).toFixed(0)}%
${h.evidence.length ? html`<ul>${h.evidence.map((e) => html`<li>[${e.source}] ${e.fact}</li>`)}</ul>` : ""}</li>`)}</ol></li>` });
  }
  for (const p of v.plans) {
    sections.push({ seq: p.seq, body: html`<li class="step plan"><h3>Plan, attempt ${p.attempt} <time>${p.time}</time>${p.valid ? "" : html` ${badge("invalid")}`}</h3>
<p>For: ${p.hypothesis}</p>${p.rationale ? html`<p class="muted">${p.rationale}</p>` : ""}
<ol>${p.lines.map((l) => html`<li><code>${l}</code></li>`)}</ol>${p.digest ? html`<p class="muted">digest <code>${p.digest}</code></p>` : ""}</li>` });
  }
  for (const r of v.refusals) sections.push({ seq: r.seq, body: html`<li class="step refused"><h3>Refused by the guard <time>${r.time}</time></h3><p>${r.text}</p></li>` });
  for (const a of v.approvals) {
    const pending = a.phase === "requested" && !v.approvals.some((d) => d.phase === "decision" && d.attempt === a.attempt);
    sections.push({ seq: a.seq, body: html`<li class="step approval ${a.phase}"><h3>${a.phase === "requested" ? `Approval requested for attempt ${a.attempt ?? "?"}` : `${a.decision ?? a.phase} by ${a.by ?? a.actor}`} <time>${a.time}</time></h3>
${a.reasons.length ? html`<ul>${a.reasons.map((r) => html`<li>${r}</li>`)}</ul>` : ""}${a.approvers?.length ? html`<p>Approvers: ${a.approvers.join(", ")}</p>` : ""}${a.note ? html`<p>Note: ${a.note}</p>` : ""}
${pending && canDecide ? decisionForm(v.id) : pending ? html`<p class="muted">Waiting for a person${ctx.readOnly ? " (this is a copied ledger: decide on the watchdog)" : ""}.</p>` : ""}</li>` });
  }
  for (const t of v.transactions) sections.push({ seq: t.seq, body: txSection(t) });
  for (const e of v.escalations) sections.push({ seq: e.seq, body: html`<li class="step escalation"><h3>Escalated (${e.severity}) <time>${e.time}</time></h3><p>${e.reason}</p></li>` });
  if (v.closed) sections.push({ seq: v.closed.seq, body: html`<li class="step closed"><h3>Closed: ${v.closed.status} <time>${v.closed.time}</time></h3><p>${v.closed.reason}</p></li>` });
  sections.sort((a, b) => a.seq - b.seq);
  const health = v.transactions.flatMap((t) => t.health);
  return layout(`Incident ${v.id}`, ctx, html`<h1>Incident <code>${v.id}</code> ${badge(v.state)}</h1>
${flash ? html`<p class="flash" role="status">${flash}</p>` : ""}
${v.problems.length ? html`<div class="error" role="alert"><p>Some entries do not parse (the file may have been edited):</p><ul>${v.problems.map((p) => html`<li>${p}</li>`)}</ul></div>` : ""}
<section><h2>Health</h2>${healthChart(health, v.marks)}</section>
<section><h2>Timeline</h2><ol class="timeline">${join(sections.map((s) => s.body))}</ol></section>
<section><h2>Ledger entries</h2>${v.entries.length > MAX_ENTRY_ROWS ? html`<p class="muted">The first ${MAX_ENTRY_ROWS} of ${v.entries.length} entries; all of them: <code>stratus ledger list --incident ${v.id}</code> or <code>/api/ledger?incident=${v.id}</code>.</p>` : ""}
<table class="entries"><thead><tr><th>Seq</th><th>Time</th><th>Actor</th><th>Kind</th><th>Tx</th><th>Summary</th></tr></thead>
<tbody>${v.entries.slice(0, MAX_ENTRY_ROWS).map((e) => html`<tr><td>${e.seq}</td><td><time>${e.time}</time></td><td>${e.actor}</td><td>${e.kind}</td><td>${e.txId ?? ""}</td><td>${summarizeEntry(e)}</td></tr>`)}</tbody></table></section>`, { live: `incident:${v.id}` });
}

function decisionForm(id: string): Html {
  return html`<form method="post" action="${UI_PREFIX}/incidents/${encodeURIComponent(id)}/decision" class="decision">
<label>Note <input name="note" maxlength="1000"></label>
<button type="submit" name="decision" value="approve" class="approve">Approve</button>
<button type="submit" name="decision" value="reject" class="reject">Reject</button></form>`;
}

function txSection(t: TxView): Html {
  const before = t.health.find((h) => h.phase === "baseline");
  const after = t.health.filter((h) => h.phase !== "baseline");
  return html`<li class="step transaction ${t.outcome}" data-tx="${t.txId}"><h3>Transaction <code>${t.txId}</code> ${badge(t.outcome)} <time>${t.begun}</time></h3>
${t.reason ? html`<p class="reason">${t.outcome === "committed" ? "Committed: " : t.outcome === "open" ? "" : "Why: "}${t.reason}</p>` : ""}
<p>Dry run: ${t.dryRun ? (t.dryRun.ok ? html`<span class="ok">passed</span> — ${t.dryRun.detail}` : html`<span class="bad">failed</span> — ${t.dryRun.detail}`) : "not reached"}</p>
${t.steps.length ? html`<p>Steps:</p><ol>${t.steps.map((s) => html`<li><code>${s.id}</code>: ${s.what}</li>`)}</ol>` : ""}
${t.actions.length ? html`<p>Applied:</p><ul class="actions">${t.actions.map((a) => html`<li class="${a.ok ? "ok" : "bad"}"><time>${a.time}</time> <code>${a.stepId}</code> ${a.summary}${a.error ? html` — ${a.error}` : ""}</li>`)}</ul>` : ""}
${t.diffs.map(diffBlock)}
<table class="health"><thead><tr><th>Measured</th><th>At</th><th>Severity</th><th>Failing checks</th><th>Verdict</th></tr></thead><tbody>
${[...(before ? [before] : []), ...after].map((h) => html`<tr data-phase="${h.phase}"><td>${h.phase === "baseline" ? "before (baseline)" : h.phase === "restored" ? "after rollback" : "after"}</td><td><time>${h.at}</time></td><td>${h.severity}</td>
<td>${h.failing.length ? html`<ul>${h.failing.map((f) => html`<li><code>${f}</code></li>`)}</ul>` : html`<span class="ok">none</span>`}</td><td>${h.verdict ? `${h.verdict.phase}: ${h.verdict.reason}` : ""}</td></tr>`)}</tbody></table>
${t.undo.length ? html`<p>Undo:</p><ul>${t.undo.map((u) => html`<li class="${u.ok ? "ok" : "bad"}">${u.what}${u.detail ? html` — ${u.detail}` : ""}</li>`)}</ul>` : ""}</li>`;
}

export function diffBlock(d: ObjectDiff): Html {
  return html`<div class="diff" data-object="${d.ref}"><p><b>${d.ref}</b>${d.note ? html` <span class="muted">(${d.note})</span>` : ""}</p>
${d.lines.length ? html`<pre class="udiff">${d.lines.map((l) => html`<span class="${l.startsWith("+++") || l.startsWith("---") ? "h" : l.startsWith("@@") ? "at" : l.startsWith("+") ? "add" : l.startsWith("-") ? "del" : "ctx"}">${l}</span>\n`)}</pre>` : ""}</div>`;
}

export type PendingRow = { id: string; namespace: string; attempt?: number; time: string; reasons: string[]; plan: string[]; approvers?: string[] };

export function approvalsPage(ctx: PageContext, rows: PendingRow[], canDecide: boolean): string {
  return layout("Approvals", ctx, html`<h1>Pending approvals</h1>
${rows.length ? html`<ul class="approvals">${rows.map((r) => html`<li data-incident="${r.id}"><h3><a href="${UI_PREFIX}/incidents/${encodeURIComponent(r.id)}">${r.id}</a> in ${r.namespace}, attempt ${r.attempt ?? "?"} <time>${r.time}</time></h3>
<ol>${r.plan.map((l) => html`<li><code>${l}</code></li>`)}</ol>${r.reasons.length ? html`<p>Why a person: ${r.reasons.join("; ")}</p>` : ""}${r.approvers?.length ? html`<p>Approvers: ${r.approvers.join(", ")}</p>` : ""}
${canDecide ? decisionForm(r.id) : html`<p class="muted">Read-only: decide on the watchdog.</p>`}</li>`)}</ul>` : html`<p class="muted">Nothing is waiting for a person.</p>`}`, { live: "all" });
}

export function verifyPage(ctx: PageContext, r: VerifyResult): string {
  return layout("Chain", ctx, html`<h1>Ledger chain</h1>
${r.ok
    ? html`<p class="ok" data-verify="ok">Intact: ${r.entries} entries, every hash and MAC verifies${r.head ? html`; head seq ${r.head.seq} (<code>${r.head.id}</code>)` : ""}.</p>`
    : html`<div class="error" data-verify="bad" role="alert"><p>The chain is broken: ${r.entries} entries verify; the first bad entry is seq <b>${r.firstBad.seq}</b> (<code>${r.firstBad.id}</code>): <b>${r.firstBad.problem}</b>.</p><p>${r.firstBad.message}</p>
<p><a href="${UI_PREFIX}/entries/${r.firstBad.seq}">Show entry ${r.firstBad.seq}</a></p></div>`}
${r.unkeyedUpTo !== undefined ? html`<p class="muted">Entries up to seq ${r.unkeyedUpTo} predate the ledger key.</p>` : ""}
${r.warnings.length ? html`<ul>${r.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : ""}`);
}

export function entryPage(ctx: PageContext, e: { seq: number; id: string; time: string; actor: string; kind: string; incidentId: string | null; txId: string | null; payload: unknown }): string {
  return layout(`Entry ${e.seq}`, ctx, html`<h1>Entry ${e.seq} <code>${e.id}</code></h1>
<p>${e.kind} by ${e.actor} at <time>${e.time}</time>${e.incidentId ? html`, incident <a href="${UI_PREFIX}/incidents/${encodeURIComponent(e.incidentId)}">${e.incidentId}</a>` : ""}${e.txId ? html`, transaction <code>${e.txId}</code>` : ""}</p>
<pre>${JSON.stringify(e.payload, null, 2)}</pre>`);
}

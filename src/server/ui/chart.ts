/**
 * The health timeline of one incident as inline SVG (no script, no external asset): severity and
 * the number of failing checks at each health measurement the transactions recorded (baseline,
 * verify, restored), over time, with vertical marks where the incident was detected, a step was
 * applied, a transaction committed or rolled back, and where it escalated. Each point carries a
 * <title> naming its phase and the failing checks, so hovering tells what was wrong.
 */
import { html, join, type Html } from "./html.ts";
import type { HealthPoint, Mark } from "./incident-model.ts";

const W = 720;
const H = 220;
const PAD = { left: 44, right: 40, top: 16, bottom: 40 };

const MARK_COLOR: Record<Mark["label"], string> = { detected: "#b26b00", apply: "#2a62c9", commit: "#1f8a3b", rollback: "#c0392b", escalation: "#8e1b1b" };

export function healthChart(points: readonly HealthPoint[], marks: readonly Mark[]): Html {
  if (points.length === 0) return html`<p class="muted" data-chart="empty">No health measurements recorded for this incident.</p>`;
  const times = [...points.map((p) => Date.parse(p.at)), ...marks.map((m) => Date.parse(m.at))].filter(Number.isFinite);
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 1000);
  const maxY = Math.max(1, ...points.map((p) => Math.max(p.severity, p.failing.length)));
  const x = (at: string) => PAD.left + ((Date.parse(at) - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / maxY) * (H - PAD.top - PAD.bottom);
  const sorted = [...points].sort((a, b) => a.at.localeCompare(b.at));
  const line = (value: (p: HealthPoint) => number) => sorted.map((p) => `${x(p.at).toFixed(1)},${y(value(p)).toFixed(1)}`).join(" ");
  const ticks = [...new Set([0, Math.round(maxY / 2), maxY])];
  const seconds = Math.round((t1 - t0) / 1000);
  return html`<svg class="chart" role="img" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg" data-chart="health">
<title>Health over time: severity and failing checks; marks at detection, apply, commit, rollback</title>
<rect x="${PAD.left}" y="${PAD.top}" width="${W - PAD.left - PAD.right}" height="${H - PAD.top - PAD.bottom}" fill="#fafafa" stroke="#ddd"/>
${join(ticks.map((t) => html`<text x="${PAD.left - 6}" y="${y(t) + 4}" text-anchor="end" font-size="11" fill="#555">${t}</text><line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/>`))}
${join(marks.map((m) => html`<g class="mark" data-mark="${m.label}"><line x1="${x(m.at).toFixed(1)}" x2="${x(m.at).toFixed(1)}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="${MARK_COLOR[m.label]}" stroke-dasharray="4 3"/><text x="${x(m.at).toFixed(1)}" y="${H - PAD.bottom + 14}" text-anchor="middle" font-size="10" fill="${MARK_COLOR[m.label]}">${m.label}</text><title>${m.label} at ${m.at}</title></g>`))}
<polyline points="${line((p) => p.failing.length)}" fill="none" stroke="#999" stroke-width="1.5" stroke-dasharray="2 2"/>
<polyline points="${line((p) => p.severity)}" fill="none" stroke="#c0392b" stroke-width="2"/>
${join(sorted.map((p) => html`<circle class="point" data-phase="${p.phase}" data-severity="${p.severity}" cx="${x(p.at).toFixed(1)}" cy="${y(p.severity).toFixed(1)}" r="4" fill="#c0392b"><title>${p.phase} (${p.txId}) at ${p.at}: severity ${p.severity}; ${p.failing.length ? `failing: ${p.failing.join(", ")}` : "all checks pass"}</title></circle>`))}
<text x="${PAD.left}" y="${H - 6}" font-size="11" fill="#555">${new Date(t0).toISOString()} · ${seconds} s</text>
<text x="${W - PAD.right}" y="${H - 6}" text-anchor="end" font-size="11" fill="#555">— severity  ┄ failing checks</text>
</svg>`;
}

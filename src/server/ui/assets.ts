/**
 * The UI's only stylesheet and script, served from /ui/static/ (the CSP allows scripts and styles
 * from this origin only, none inline). The script subscribes to the page's live stream
 * (server-sent events of new ledger entries) and lists each new entry under a "reload" banner; it
 * writes text with textContent only, never markup.
 */
export const APP_CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fff}
header{display:flex;gap:1.5em;align-items:center;padding:.6em 1.2em;background:#1e2a3a;color:#fff}
header a{color:#fff;text-decoration:none;margin-right:1em}.brand{font-weight:700}
nav{display:flex;align-items:center;gap:.2em;flex:1}.user{margin-left:auto;margin-right:1em;opacity:.8}
main{padding:1em 1.5em;max-width:1200px}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border-bottom:1px solid #e5e5e5;padding:.3em .5em;text-align:left;vertical-align:top}
.badge{display:inline-block;padding:0 .5em;border-radius:.7em;background:#eee;font-size:12px}
.badge.resolved,.badge.committed{background:#d6f5dd}.badge.escalated,.badge.rolled-back,.badge.critical{background:#fbdada}
.badge.awaiting-approval{background:#fff0c2}.badge.open{background:#dde8fb}
.timeline{list-style:none;padding-left:0}.step{border-left:3px solid #ccd;padding:.2em 0 .6em 1em;margin-bottom:.4em}
.step.transaction.committed{border-color:#1f8a3b}.step.transaction.rolled-back,.step.escalation{border-color:#c0392b}.step.approval{border-color:#b26b00}
.step h3{margin:.2em 0;font-size:15px}time{color:#555;font-size:12px}
.udiff{background:#f6f8fa;padding:.5em;overflow:auto;font-size:12px}.udiff .add{color:#116329;background:#e6ffec}.udiff .del{color:#82071e;background:#ffebe9}.udiff .at{color:#6639ba}.udiff .h{font-weight:700}
.ok{color:#1f8a3b}.bad{color:#c0392b}.muted{color:#666}.error{color:#8e1b1b;background:#fdecea;padding:.5em}
.flash{background:#e6ffec;padding:.5em}.filters label{margin-right:.8em}.inline{display:inline}
.decision button{margin-left:.5em}.approve{background:#1f8a3b;color:#fff;border:0;padding:.3em .8em}.reject{background:#c0392b;color:#fff;border:0;padding:.3em .8em}
#live-banner{position:fixed;bottom:1em;right:1em;background:#fff8d6;border:1px solid #e0c060;padding:.5em 1em;max-width:40em}
.chart{max-width:100%;height:auto}
`;

export const APP_JS = `"use strict";
(function () {
  var live = document.body.getAttribute("data-live");
  if (!live || !window.EventSource) return;
  var q = live === "all" ? "" : "?incident=" + encodeURIComponent(live.slice("incident:".length));
  var es = new EventSource("/ui/events" + q);
  es.addEventListener("entry", function (ev) {
    var e;
    try { e = JSON.parse(ev.data); } catch (x) { return; }
    var banner = document.getElementById("live-banner");
    var list = document.getElementById("live");
    var li = document.createElement("li");
    li.setAttribute("data-seq", String(e.seq));
    li.textContent = e.seq + " " + e.kind + " " + e.actor + ": " + e.summary;
    list.appendChild(li);
    banner.hidden = false;
  });
})();
`;

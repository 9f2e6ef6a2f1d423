#!/usr/bin/env node
// A custom Stratus action (an `exec:` step): record on the failing Deployment which team's on-call
// was paged for the incident, and later that the fix went in — so whoever looks at the object
// (kubectl describe, a dashboard) sees who owns the incident. Node only, no dependencies.
//
// Contract (docs/EXTENDING.md): Stratus writes {incident, params, dryRun} as JSON on stdin and
// expects one JSON value on stdout; exit 0 is success, anything else fails the step. The only
// environment is what the step declares, plus PATH:
//   KUBE_SERVER   the API server URL              KUBE_TOKEN  a bearer token allowed to patch Deployments
//   KUBE_CA_FILE  the API server's CA (optional)  STRATUS_DRY_RUN=1  on a dry run: change nothing
//
// Usage: annotate-oncall.mjs page | resolved | remove
//   page      annotate the owning team (its `team` label) as paged for this incident
//   resolved  annotate that the incident's fix went in
//   remove    remove both annotations (the compensation: run on rollback)
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";

const PREFIX = "oncall.example.com";
const mode = process.argv[2];
if (!["page", "resolved", "remove"].includes(mode)) fail(`unknown mode "${mode}": use page, resolved or remove`);

const input = JSON.parse(readFileSync(0, "utf8"));
const { namespace, deployment } = input.params ?? {};
if (!namespace || !deployment) fail("params.namespace and params.deployment are required");
const incident = input.incident?.id ?? "unknown";
const dryRun = process.env.STRATUS_DRY_RUN === "1";
const path = `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments/${encodeURIComponent(deployment)}`;

main().catch((e) => fail(e.message));

async function main() {
  const current = await call("GET", path);
  const team = current.metadata?.labels?.team ?? "unowned";
  const annotations =
    mode === "page" ? { [`${PREFIX}/paged`]: `${team}-oncall`, [`${PREFIX}/incident`]: incident }
    : mode === "resolved" ? { [`${PREFIX}/status`]: `fixed by Stratus (${incident})` }
    : { [`${PREFIX}/paged`]: null, [`${PREFIX}/incident`]: null, [`${PREFIX}/status`]: null };
  await call("PATCH", `${path}${dryRun ? "?dryRun=All" : ""}`, { metadata: { annotations } });

  const verb = mode === "page" ? `paged ${team}-oncall on` : mode === "resolved" ? "marked resolved" : "removed the on-call annotations from";
  console.error(`${verb} ${namespace}/${deployment}${dryRun ? " (dry run)" : ""}`);
  console.log(JSON.stringify({ summary: `${verb} Deployment ${namespace}/${deployment}`, team, deployment: `${namespace}/${deployment}`, dryRun }));
}

function call(method, p, body) {
  const url = new URL(p, process.env.KUBE_SERVER ?? fail("KUBE_SERVER is not set"));
  const lib = url.protocol === "https:" ? https : http;
  const headers = { accept: "application/json", authorization: `Bearer ${process.env.KUBE_TOKEN ?? fail("KUBE_TOKEN is not set")}` };
  if (body) headers["content-type"] = "application/merge-patch+json";
  const ca = process.env.KUBE_CA_FILE ? readFileSync(process.env.KUBE_CA_FILE) : undefined;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method, headers, ...(ca ? { ca } : {}), timeout: 10_000 }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (d) => (text += d)).on("end", () => {
        if (res.statusCode >= 300) return reject(new Error(`${method} ${url.pathname}: ${res.statusCode} ${text.slice(0, 300)}`));
        resolve(JSON.parse(text));
      });
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${url.pathname}: no answer in 10 s`)));
    req.on("error", reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

function fail(message) {
  console.error(`annotate-oncall: ${message}`);
  process.exit(1);
}

/**
 * The runner's own record of who wrote what to the cluster, taken at the API server (an extra
 * route that sees every request first and lets it through). Each client the runner hands out — the
 * fault injector, Stratus — carries its own bearer token, so a write is attributed by the token it
 * came with, not by anyone's account of what they did. The sandbox's controllers and workload write
 * to the store directly and never pass here. Dry runs, Events and the writer Lease are recorded but
 * are not "writes to the cluster" for scoring: they change nothing an application runs on.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ExtraRoute } from "../../sandbox/api/server.ts";

export type Write = {
  /** Simulated time of the request. */
  at: number;
  actor: string;
  method: string;
  path: string;
  dryRun: boolean;
  /** A write that changes nothing an app runs on (Events, Leases) or a dry run. */
  benign: boolean;
  /** The HTTP status answered (0 until the answer is sent); only a 2xx changed anything. */
  status: number;
};

export class WriteWatch {
  readonly writes: Write[] = [];

  constructor(private readonly tokens: Record<string, string>, private readonly now: () => number) {}

  /** The extra route: record, then let the API server handle the request as usual. */
  readonly route: ExtraRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const method = req.method ?? "GET";
    if (method === "GET" || method === "HEAD" || method === "OPTIONS") return false;
    const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1]?.trim() ?? "";
    const actor = this.tokens[token] ?? "unknown";
    const dryRun = url.searchParams.getAll("dryRun").includes("All");
    const benign = dryRun || /\/(events|leases)(\/|$)/.test(url.pathname);
    const w: Write = { at: this.now(), actor, method, path: url.pathname, dryRun, benign, status: 0 };
    this.writes.push(w);
    res.once("finish", () => (w.status = res.statusCode));
    return false;
  };

  /** Accepted writes by `actor` that change the cluster (no dry runs, Events or Leases), from `since` on. */
  effective(actor: string, since = -Infinity): Write[] {
    return this.writes.filter((w) => w.actor === actor && !w.benign && w.at >= since && w.status >= 200 && w.status < 300);
  }
}

export const describeWrite = (w: Write) => `${w.method} ${w.path} -> ${w.status}`;

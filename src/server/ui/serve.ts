/**
 * `stratus ledger serve`: the web UI over a copied ledger file, on its own small HTTP server,
 * read-only (no approvals: the copy is not the watchdog's). There is no cluster to ask who the
 * caller is, so it authenticates with one bearer token of its own — given (`--token-file`) or
 * random, printed once at start like a notebook server's — compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { credentialOf, type AuthDecision, type RequestAuthenticator } from "../http-auth.ts";
import { listenHttp } from "../listen.ts";
import { uiRoutes, type UiDeps } from "./routes.ts";
import type { IncomingMessage } from "node:http";

/** Accepts exactly one token; its holder may read (never approve). */
export class StaticTokenAuthenticator implements RequestAuthenticator {
  private readonly digest: Buffer;
  constructor(token: string, private readonly username = "ledger-reader") {
    this.digest = createHash("sha256").update(token).digest();
  }
  async authorize(req: IncomingMessage, verb: "read" | "approve"): Promise<AuthDecision> {
    const c = credentialOf(req);
    if (!c) return { ok: false, status: 401, message: "no token: log in with the token `stratus ledger serve` printed (or the one in --token-file)" };
    if (!timingSafeEqual(createHash("sha256").update(c.token).digest(), this.digest)) return { ok: false, status: 401, message: "that is not this server's token" };
    if (verb !== "read") return { ok: false, status: 403, message: "a copied ledger is read-only: decide on the watchdog" };
    return { ok: true, identity: { username: this.username, groups: [] } };
  }
}

/** Where `stratus ledger serve` listens unless told (loopback: a copied ledger is for one reviewer). */
export const DEFAULT_UI_LISTEN = "127.0.0.1:8470"; // src/cli/commands/ledger.ts repeats it in its usage (kept light: no web server loaded for list/show)

export const randomToken = () => randomBytes(24).toString("base64url");

export type ServedUi = { url: string; close(): Promise<void> };

/** Serves /ui (and redirects / to it) on `listen` (HOST:PORT); everything else is 404. */
export async function serveUi(listen: string, deps: Omit<UiDeps, "approve" | "incidents">): Promise<ServedUi> {
  const route = uiRoutes(deps);
  return listenHttp(listen, (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    Promise.resolve(route(req, res, url))
      .then((handled) => {
        if (handled) return;
        req.resume();
        if (url.pathname === "/") res.writeHead(303, { location: "/ui/incidents" }).end();
        else res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end(`no route ${url.pathname}; the UI is at /ui/incidents\n`);
      })
      .catch((e) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end(`internal error: ${(e as Error).message}\n`);
      });
  });
}

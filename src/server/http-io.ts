/**
 * Reading and answering on the watchdog's HTTP routes: a JSON body read with a size limit (refused
 * early from Content-Length, or as soon as the bytes pass it), a client that vanishes mid-body
 * handled without an unhandled rejection, and every answer JSON that says what to send instead.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";

export const MAX_BODY_BYTES = 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  res.end(text);
}

export const issues = (e: z.ZodError) => e.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`);

/**
 * The request's body parsed as JSON, or undefined after answering 4xx (415 not JSON by type, 413
 * too large, 400 not JSON). A refused body is discarded, never buffered.
 */
export async function readJson(req: IncomingMessage, res: ServerResponse, limit = MAX_BODY_BYTES): Promise<unknown | undefined> {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json" && !type.endsWith("+json")) {
    refuse(req, res, 415, { error: `the body must be JSON: send Content-Type: application/json${type ? ` (got ${type})` : ""}` });
    return undefined;
  }
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    refuse(req, res, 413, { error: `body larger than ${limit} bytes` });
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > limit) {
        refuse(req, res, 413, { error: `body larger than ${limit} bytes` });
        return undefined;
      }
      chunks.push(c as Buffer);
    }
  } catch {
    // The client went away (or timed out) mid-body: nobody is left to answer.
    if (!res.headersSent) res.destroy();
    return undefined;
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    sendJson(res, 400, { error: "the body is not JSON" });
    return undefined;
  }
}

/**
 * Answers at once and discards the rest of the body without buffering it (closing the socket with
 * unread bytes would reset it before the client reads the answer); the server's request timeout
 * bounds how long a client may keep sending, and the connection is not reused.
 */
export function refuse(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJson(res, status, body, { connection: "close", ...headers });
  req.on("error", () => {}).resume();
}

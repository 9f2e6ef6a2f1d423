/**
 * Small HTTP plumbing for the API server: reading a bounded request body, parsing it as JSON or
 * YAML with errors a person can act on, and writing JSON or Status responses.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseYaml } from "yaml";
import { ApiError, badRequest } from "./errors.ts";
import { decodeProtobufObject, PROTOBUF } from "./protobuf.ts";

/** The real server's default limit on a request body. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** The nesting limit of the real server's JSON decoder (sigs.k8s.io/json, as encoding/json). */
export const MAX_JSON_DEPTH = 10_000;

/**
 * Throws a 400 when brackets nest deeper than MAX_JSON_DEPTH, before any parser or recursive walk
 * sees the text: a 100k-deep body must be a client error, never a stack overflow. Brackets inside
 * strings do not count.
 */
export function checkNestingDepth(text: string, limit = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString !== undefined) {
      if (c === 92 /* \\ */) i++;
      else if (text[i] === inString) inString = undefined;
      continue;
    }
    if (c === 34 /* " */) inString = '"';
    else if (c === 91 || c === 123) {
      if (++depth > limit) throw badRequest(`the request body could not be decoded: exceeded max depth of ${limit} nested objects or lists`);
    } else if (c === 93 || c === 125) depth--;
  }
}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new ApiError(413, "RequestEntityTooLarge", `Request entity too large: limit is ${limit}`));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => { if (!failed) resolve(Buffer.concat(chunks)); });
    req.on("error", (e) => { if (!failed) reject(badRequest(`could not read the request body: ${e.message}`)); });
  });
}

/** Parses a request body by its content type; JSON unless the client says YAML. */
export function parseBody(buf: Buffer, contentType: string | undefined): unknown {
  if ((contentType ?? "").toLowerCase().startsWith(PROTOBUF)) return decodeProtobufObject(buf);
  const text = buf.toString("utf8");
  if (!text.trim()) throw badRequest("the request body is empty: send the object as JSON");
  checkNestingDepth(text);
  const ct = (contentType ?? "").toLowerCase();
  if (ct.includes("yaml")) {
    try {
      return parseYaml(text);
    } catch (e) {
      throw badRequest(`the request body is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`the request body is not valid JSON: ${(e as Error).message}`);
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const api = err instanceof ApiError ? err : new ApiError(500, "InternalError", `Internal error occurred: ${(err as Error)?.message ?? String(err)}`);
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, api.code, api.toStatus());
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

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
        reject(new ApiError(413, "RequestEntityTooLarge", `the request body is too large: limit is ${limit} bytes`));
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

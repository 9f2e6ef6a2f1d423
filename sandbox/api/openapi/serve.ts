/**
 * Serves `/openapi/v2`, `/openapi/v3` and `/openapi/v3/<api|apis>/...` from OpenApiDocuments.
 * JSON, and for v2 also the protobuf client-go asks for; a client that accepts nothing this server
 * can produce gets a 406, the answer a server gives for a media type it cannot produce.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "../errors.ts";
import { sendJson } from "../http-util.ts";
import { hashOf, type OpenApiDocuments } from "./documents.ts";
import { OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_RETURNED } from "./protobuf-v2.ts";

function acceptsJson(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(",").some((part) => {
    const type = part.split(";")[0].trim().toLowerCase();
    return type === "*/*" || type === "application/*" || type === "application/json";
  });
}

function acceptsV2Protobuf(accept: string | undefined): boolean {
  return !!accept && accept.split(",").some((part) => part.split(";")[0].trim().toLowerCase() === OPENAPI_V2_PROTOBUF);
}

function sendDoc(req: IncomingMessage, res: ServerResponse, doc: Buffer, contentType = "application/json"): void {
  const etag = `"${hashOf(doc).slice(0, 32)}"`;
  if (req.headers["if-none-match"] === etag) {
    res.writeHead(304, { ETag: etag });
    res.end();
    return;
  }
  res.writeHead(200, { "Content-Type": contentType, "Content-Length": doc.length, ETag: etag });
  res.end(doc);
}

/** Handles an /openapi path; throws ApiError for what is not there. */
export async function serveOpenApi(req: IncomingMessage, res: ServerResponse, segments: string[], docs: OpenApiDocuments): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") throw new ApiError(405, "MethodNotAllowed", `${req.method} is not allowed on the OpenAPI documents: they can only be read (GET)`);
  const [, version, ...rest] = segments;
  if (version === "v2" && rest.length === 0 && acceptsV2Protobuf(req.headers.accept)) return sendDoc(req, res, await docs.swaggerProtobuf(), OPENAPI_V2_PROTOBUF_RETURNED);
  if (!acceptsJson(req.headers.accept)) {
    throw new ApiError(406, "NotAcceptable", `only the following media types are accepted: application/json (asked for ${req.headers.accept})`);
  }
  if (version === "v2" && rest.length === 0) return sendDoc(req, res, await docs.swagger());
  if (version === "v3" && rest.length === 0) return sendJson(res, 200, await docs.v3Root());
  if (version === "v3") {
    const doc = await docs.v3Document(rest.join("/"));
    if (doc) return sendDoc(req, res, doc);
  }
  throw new ApiError(404, "NotFound", `the server could not find the requested resource: /${segments.join("/")} is not an OpenAPI document this server publishes`);
}

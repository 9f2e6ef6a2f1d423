/**
 * API errors as the real server reports them: a `Status` object with the HTTP code, the reason
 * (`NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, ...) and a message worded like
 * kube-apiserver's, so kubectl and @kubernetes/client-node show users what they would on a real
 * cluster. Handlers throw ApiError; the server turns it into a Status response.
 */
import type { FieldCause } from "./types.ts";

export type StatusReason =
  | "BadRequest"
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Gone"
  | "Invalid"
  | "MethodNotAllowed"
  | "NotAcceptable"
  | "UnsupportedMediaType"
  | "RequestEntityTooLarge"
  | "InternalError"
  | "ServiceUnavailable"
  | "Timeout"
  | "Expired"
  | "Forbidden"
  | "Unauthorized";

export type StatusDetails = {
  name?: string;
  group?: string;
  kind?: string;
  causes?: FieldCause[];
  retryAfterSeconds?: number;
};

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = "ApiError";
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** `deployments.apps` for a group resource, `pods` for the core group, as messages say it. */
export function groupResource(plural: string, group: string): string {
  return group ? `${plural}.${group}` : plural;
}

export const notFound = (plural: string, group: string, name: string) =>
  new ApiError(404, "NotFound", `${groupResource(plural, group)} "${name}" not found`, {
    name,
    group,
    kind: plural,
  });

export const alreadyExists = (plural: string, group: string, name: string) =>
  new ApiError(409, "AlreadyExists", `${groupResource(plural, group)} "${name}" already exists`, {
    name,
    group,
    kind: plural,
  });

export const conflict = (plural: string, group: string, name: string) =>
  new ApiError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${groupResource(plural, group)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group, kind: plural },
  );

export const badRequest = (message: string) => new ApiError(400, "BadRequest", message);

export const gone = (message: string) => new ApiError(410, "Expired", message);

/** 422 with field causes, worded as `Kind.group "name" is invalid: field: message, ...`. */
export function invalid(kind: string, group: string, name: string, causes: FieldCause[]): ApiError {
  const what = group ? `${kind}.${group}` : kind;
  const list = causes.map((c) => `${c.field}: ${c.message}`).join(", ");
  return new ApiError(422, "Invalid", `${what} "${name}" is invalid: ${list}`, {
    name,
    group,
    kind,
    causes,
  });
}

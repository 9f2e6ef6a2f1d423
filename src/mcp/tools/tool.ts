/**
 * One MCP tool: its name, what an assistant reads to use it unaided (description, input schema
 * with per-field descriptions), the access verb it needs, and `run`, which returns plain JSON (the
 * server redacts it and wraps it as the tool result). A `ToolError` is an answer the caller can act
 * on (bad input, nothing waiting, forbidden): it becomes an MCP error result with its message.
 */
import type { ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { AccessScope, AccessVerb } from "../../server/http-auth.ts";
import type { McpDeps, ToolContext } from "../context.ts";

export type McpTool<S extends z.ZodObject = z.ZodObject> = {
  name: string;
  title: string;
  description: string;
  /** A strict object schema: an unknown or misspelled field is refused, not ignored. */
  input: S;
  /** `read` for every tool but the one that records a decision (`approve`). */
  verb: AccessVerb;
  annotations: ToolAnnotations;
  /** Where the call acts, for the authenticator (a namespace-scoped Role); cluster scope when absent. */
  scope?(args: z.output<S>, deps: McpDeps): AccessScope | undefined;
  run(args: z.output<S>, ctx: ToolContext): Promise<unknown>;
};

/** Keeps each tool's argument type while the list holds them all as `McpTool`. */
export const defineTool = <S extends z.ZodObject>(tool: McpTool<S>): McpTool => tool as unknown as McpTool;

/** An answer to the caller, not a bug: reported as an MCP error result with this message. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolError";
  }
}

/** Read-only tools: they change nothing, so an assistant may call them freely. */
export const READ_ONLY: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

/**
 * A tool's input: a strict object (an unknown or misspelled field is refused, not ignored) whose
 * refusal names the fields the tool takes.
 */
export function toolInput<S extends z.ZodRawShape>(shape: S) {
  const fields = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => (iss.code === "unrecognized_keys" ? `unknown field(s) ${iss.keys.join(", ")}; this tool takes: ${fields.join(", ") || "no arguments ({})"}` : undefined),
  });
}

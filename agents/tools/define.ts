/**
 * One way to define an LLM tool: a name, a description the model reads, a zod input schema and a
 * read-only function. The result is always JSON cut to the size bound; an error becomes
 * `{"error": ...}` for the model to read and correct, never an exception out of the agent's loop.
 * Everything a tool returns from the cluster is wrapped as data: a log line that reads like an
 * instruction stays a log line.
 */
import { tool, type StructuredToolInterface } from "@langchain/core/tools";
import type { z } from "zod";
import { capJson } from "./bounds.ts";
import type { ToolContext } from "./context.ts";

export type ToolFactory = (ctx: ToolContext) => StructuredToolInterface;

export function defineTool<S extends z.ZodObject>(spec: {
  name: string;
  description: string;
  schema: S;
  run: (input: z.infer<S>, ctx: ToolContext) => Promise<unknown>;
}): ToolFactory {
  return (ctx) =>
    tool(
      async (input: unknown) => {
        try {
          return capJson(await spec.run(input as z.infer<S>, ctx));
        } catch (e) {
          return capJson({ error: e instanceof Error ? e.message : String(e) });
        }
      },
      { name: spec.name, description: spec.description, schema: spec.schema },
    ) as unknown as StructuredToolInterface;
}

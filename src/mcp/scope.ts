/**
 * Every MCP tool stays inside the namespaces Stratus watches: an assistant reads and dry-runs with
 * Stratus's own credentials, so a namespace outside that scope is refused by name rather than read
 * on the caller's behalf.
 */
import type { McpDeps } from "./context.ts";
import { ToolError } from "./tools/tool.ts";

/** `[namespace]` when it is watched, every watched namespace when none is given; a ToolError otherwise. */
export async function scopedNamespaces(deps: McpDeps, namespace?: string): Promise<string[]> {
  const watched = await deps.namespaces();
  if (namespace === undefined) {
    if (!watched.length) throw new ToolError("Stratus watches no namespace yet; start it with -n NAMESPACE");
    return watched;
  }
  if (!watched.includes(namespace)) {
    throw new ToolError(`namespace "${namespace}" is not watched by Stratus; use one of: ${watched.join(", ") || "(none)"}`);
  }
  return [namespace];
}

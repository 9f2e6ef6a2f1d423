/** Calling a tool with the SDK's Client and reading its answer: the JSON of a success, the text of an error. */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";

export async function callText(client: Client, name: string, args: Record<string, unknown>): Promise<{ isError: boolean; text: string }> {
  const r = await client.callTool({ name, arguments: args });
  const content = r.content as Array<{ type: string; text?: string }>;
  return { isError: r.isError === true, text: content.map((c) => c.text ?? "").join("\n") };
}

/** The tool's JSON answer; fails the test with the error text when the call was an error. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function callJson(client: Client, name: string, args: Record<string, unknown>): Promise<any> {
  const r = await callText(client, name, args);
  if (r.isError) throw new Error(`${name} answered an error: ${r.text}`);
  return JSON.parse(r.text);
}

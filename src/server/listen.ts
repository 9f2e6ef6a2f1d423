/**
 * One way to open an HTTP listener for the watchdog's two servers (the API and /metrics): parse
 * HOST:PORT, bound how long a client may take to send its headers and its whole request (a slow
 * client cannot hold a connection open forever), and close every connection on shutdown.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Headers must arrive within this long of the connection (or of the previous request on it). */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/** The whole request, body included, within this long; then 408 and the connection is closed. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export type ListenTimeouts = { headersMs?: number; requestMs?: number };
export type RunningServer = { url: string; port: number; close(): Promise<void> };

/** "127.0.0.1:9464" → host and port; ":9464" or "9464" is 127.0.0.1; port 0 picks a free one. */
export function parseListen(listen: string, flag = "--listen"): { host: string; port: number } {
  const m = /^(?:\[?([^\]]*)\]?:)?(\d{1,5})$/.exec(listen.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new Error(`${flag} "${listen}" is not HOST:PORT (e.g. 127.0.0.1:8080)`);
  return { host: m[1] || "127.0.0.1", port };
}

export async function listenHttp(listen: string, handler: (req: IncomingMessage, res: ServerResponse) => void, timeouts: ListenTimeouts = {}, flag?: string): Promise<RunningServer> {
  const { host, port } = parseListen(listen, flag);
  const headersTimeout = timeouts.headersMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const requestTimeout = Math.max(timeouts.requestMs ?? DEFAULT_REQUEST_TIMEOUT_MS, headersTimeout);
  // Node checks these timeouts every connectionsCheckingInterval (default 30 s): check often enough to honour short ones.
  const server = createServer({ headersTimeout, requestTimeout, connectionsCheckingInterval: Math.min(1_000, headersTimeout) }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  // No 'clientError' listener: node's own answers malformed requests with 400, oversized headers
  // with 431 and the timeouts above with 408, and closes the connection.
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${addr.family === "IPv6" ? `[${addr.address}]` : addr.address}:${addr.port}`,
    port: addr.port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

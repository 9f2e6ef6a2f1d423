/**
 * One port that speaks both HTTP and HTTPS, told apart by the first byte a client sends (a TLS
 * handshake starts with 0x16). The Kubernetes API is reached over HTTPS — kubectl sends its
 * credentials only over TLS — while the plain-HTTP side keeps `curl`, Prometheus scrapes of
 * /metrics and the sandbox's control endpoints simple. Both sides hand requests to one handler.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createNetServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;
export type DualListener = { port: number; close(): Promise<void> };

const TLS_HANDSHAKE = 0x16;

export async function listenHttpAndHttps(handler: Handler, opts: { host: string; port: number; cert: string | Buffer; key: string | Buffer }): Promise<DualListener> {
  const http = createHttpServer(handler);
  const https = createHttpsServer({ cert: opts.cert, key: opts.key }, handler);
  for (const s of [http, https]) {
    s.on("clientError", (_err, socket) => {
      if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
      else socket.destroy();
    });
  }
  const sockets = new Set<Socket>();
  const front = createNetServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.once("data", (first) => {
      socket.pause();
      socket.unshift(first);
      (first[0] === TLS_HANDSHAKE ? https : http).emit("connection", socket);
      process.nextTick(() => socket.resume());
    });
  });
  await new Promise<void>((resolve, reject) => {
    front.once("error", reject);
    front.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (front.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        https.closeAllConnections();
        for (const s of sockets) s.destroy();
        front.close(() => resolve());
      }),
  };
}

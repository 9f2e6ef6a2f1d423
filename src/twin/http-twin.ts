/**
 * A Twin reached over HTTP: the Kubernetes API through the real kube client (from the kubeconfig
 * the twin wrote), and its clock through `POST /sandbox/v1/clock` on the plain-HTTP control URL
 * with the kubeconfig's bearer token. The clock moves only when advanced, so the last time it
 * answered is its time now.
 */
import { z } from "zod";
import type { KubeConfig } from "@kubernetes/client-node";
import { KubeClient } from "../kube/kube-client.ts";
import { TwinError, type Twin } from "./twin.ts";

export const TWIN_CLOCK_PATH = "/sandbox/v1/clock";
/** An advance of simulated minutes can take a few wall seconds on a busy machine. */
const ADVANCE_TIMEOUT_MS = 120_000;

const ClockAnswer = z.object({ now: z.number(), virtual: z.boolean() });

export type HttpTwinOptions = {
  kc: KubeConfig;
  /** Plain-HTTP base URL of the twin's control endpoints, e.g. http://127.0.0.1:PORT. */
  controlUrl: string;
  /** Called by close(): stops whatever runs the twin. */
  stop(): Promise<void>;
};

export async function connectTwin(opts: HttpTwinOptions): Promise<Twin> {
  const token = opts.kc.getCurrentUser()?.token;
  if (!token) throw new TwinError("the twin's kubeconfig carries no bearer token: its clock cannot be advanced");
  const client = new KubeClient(opts.kc, { requestTimeoutMs: 60_000 });
  const clockUrl = new URL(TWIN_CLOCK_PATH, opts.controlUrl).toString();
  const call = async (init: RequestInit): Promise<number> => {
    let res: Response;
    try {
      res = await fetch(clockUrl, { ...init, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, signal: AbortSignal.timeout(ADVANCE_TIMEOUT_MS) });
    } catch (e) {
      throw new TwinError(`the twin's clock at ${clockUrl} did not answer: ${(e as Error).message}`);
    }
    const body = await res.json().catch(() => undefined);
    if (!res.ok) throw new TwinError(`the twin's clock answered ${res.status}: ${(body as { message?: string })?.message ?? res.statusText}`);
    const parsed = ClockAnswer.safeParse(body);
    if (!parsed.success) throw new TwinError(`the twin's clock answered something unreadable: ${JSON.stringify(body).slice(0, 200)}`);
    if (!parsed.data.virtual) throw new TwinError("the twin runs in real time: start it with --virtual");
    return parsed.data.now;
  };
  let now = await call({ method: "GET" });
  let closed = false;
  return {
    client,
    now: () => now,
    async advance(ms) {
      now = await call({ method: "POST", body: JSON.stringify({ advanceMs: ms }) });
    },
    async close() {
      if (closed) return;
      closed = true;
      await opts.stop();
    },
  };
}

/**
 * The one HTTP GET both metric sources make: a wall-clock timeout (an HTTP call is real I/O, not
 * simulated time), and a failure to connect turned into a short reason (ECONNREFUSED, "no answer
 * within 5000 ms") that the caller wraps in a message saying what to check.
 */
export type HttpAnswer = { status: number; ok: boolean; contentType: string; text: string };

export class HttpUnreachable extends Error {
  constructor(readonly url: string, readonly why: string) {
    super(`${url}: ${why}`);
    this.name = "HttpUnreachable";
  }
}

export async function httpGet(url: string, opts: { timeoutMs: number; headers?: Record<string, string> }): Promise<HttpAnswer> {
  let res: Response;
  try {
    res = await fetch(url, { headers: opts.headers, signal: AbortSignal.timeout(opts.timeoutMs) });
    return { status: res.status, ok: res.ok, contentType: res.headers.get("content-type") ?? "", text: await res.text() };
  } catch (e) {
    throw new HttpUnreachable(url, reasonOf(e as Error & { cause?: Error & { code?: string } }, opts.timeoutMs));
  }
}

function reasonOf(err: Error & { cause?: Error & { code?: string } }, timeoutMs: number): string {
  if (err.name === "TimeoutError" || err.cause?.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
  return err.cause?.code ?? err.cause?.message ?? err.message;
}

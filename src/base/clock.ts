/**
 * Time as the core sees it. Transactions, locks and retries wait through a Clock so evals can run
 * them in virtual time; the sandbox's clocks have the same shape and can be passed in directly.
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

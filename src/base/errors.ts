/**
 * One error base for the product, with a stable code per failure class and `isX()` guards. Every
 * message a user can see says what went wrong and what to do next. Throw for bugs and control
 * flow; results that are expected outcomes (a refused action, a failed verify) are data, not errors.
 */

export type ErrorCode =
  | "KUBE_API" // the API server answered an error
  | "KUBE_UNREACHABLE" // no answer: connection refused, timeout
  | "KUBECONFIG" // cannot load or use the kubeconfig
  | "INVALID_INPUT" // a plan, action, policy or config failed validation
  | "POLICY_REFUSED" // the guard refused an action
  | "LOCK_LOST" // the writer Lease was lost mid-transaction
  | "LOCK_UNAVAILABLE" // another writer holds the Lease
  | "TRANSACTION" // a transaction could not proceed
  | "LEDGER" // the ledger cannot be read or written
  | "TELEMETRY"; // a metric source cannot be reached or answered something unreadable

export class StratusError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "StratusError";
  }
}

/** An error answered by the Kubernetes API server (a Status), or its absence (timeout, refused). */
export class KubeApiError extends StratusError {
  constructor(
    readonly status: number, // HTTP status; 0 when nothing answered
    readonly reason: string, // Status.reason, e.g. NotFound, Conflict, Timeout
    message: string,
  ) {
    super(status === 0 ? "KUBE_UNREACHABLE" : "KUBE_API", message, { status, reason });
    this.name = "KubeApiError";
  }

  /** 5xx, 429 and no-answer are worth retrying with back-off; 4xx are not (409 has its own path). */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

export class ValidationError extends StratusError {
  constructor(
    message: string,
    /** Each problem with the path of the field it concerns. */
    readonly issues: Array<{ path: string; message: string }> = [],
  ) {
    super("INVALID_INPUT", message, { issues });
    this.name = "ValidationError";
  }
}

export const isKubeApiError = (e: unknown): e is KubeApiError => e instanceof KubeApiError;
export const isNotFound = (e: unknown) => isKubeApiError(e) && e.status === 404;
export const isConflict = (e: unknown) => isKubeApiError(e) && e.status === 409 && e.reason === "Conflict";
export const isAlreadyExists = (e: unknown) => isKubeApiError(e) && e.status === 409 && e.reason === "AlreadyExists";
export const isValidationError = (e: unknown): e is ValidationError => e instanceof ValidationError;
export const isStratusError = (e: unknown): e is StratusError => e instanceof StratusError;

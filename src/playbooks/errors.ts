/**
 * Playbook errors. A `PlaybookError` is a ValidationError (code INVALID_INPUT) whose every issue
 * names the file, the field (a path such as `steps[1].with.replicas`) and, where the YAML shows it,
 * the line — so `stratus playbook validate` points at exactly what to change. `NotApplicable` says
 * why a playbook cannot serve a diagnosis (a param that could not be bound): an expected outcome
 * that the matcher uses to try the next playbook, not a bug.
 */
import { StratusError, ValidationError } from "../base/errors.ts";

export type PlaybookIssue = { path: string; message: string; line?: number };

/** "file:line: path: message", the form editors and CI logs link to. */
export const formatIssue = (file: string, i: PlaybookIssue) => `${file}${i.line ? `:${i.line}` : ""}: ${i.path ? `${i.path}: ` : ""}${i.message}`;

export class PlaybookError extends ValidationError {
  constructor(
    readonly file: string,
    readonly playbookIssues: PlaybookIssue[],
    what = "invalid playbook",
  ) {
    super(`${what} ${file}:\n${playbookIssues.map((i) => `  ${formatIssue(file, i)}`).join("\n")}`, playbookIssues.map(({ path, message }) => ({ path, message })));
    this.name = "PlaybookError";
  }
}

export const isPlaybookError = (e: unknown): e is PlaybookError => e instanceof PlaybookError;

/** A playbook that does not fit this diagnosis or cluster: each reason says which param and why. */
export class NotApplicable extends StratusError {
  constructor(
    readonly playbook: string,
    readonly reasons: string[],
  ) {
    super("INVALID_INPUT", `playbook ${playbook} does not apply: ${reasons.join("; ")}`, { playbook, reasons });
    this.name = "NotApplicable";
  }
}

export const isNotApplicable = (e: unknown): e is NotApplicable => e instanceof NotApplicable;

/** Thrown by a resolver when the cluster does not show what it looks for; the reason is for people. */
export class Unbound extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Unbound";
  }
}

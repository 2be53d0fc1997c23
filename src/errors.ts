// The error hierarchy: every failure a user can cause or fix is a ReproError with an exit code and a hint.
// cli/main.ts is the one place that catches them.

export const ExitCode = {
  ok: 0,
  difference: 1,
  badInput: 2,
  environment: 3,
} as const;

export class ReproError extends Error {
  readonly exitCode: number;
  readonly hint?: string;

  constructor(message: string, options: { exitCode: number; hint?: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode;
    this.hint = options.hint;
  }
}

/** Where in a file a problem is; line and column are 1-based. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** research.yaml (or another input file) is wrong. Message is prefixed with file:line:column. */
export class ManifestError extends ReproError {
  readonly position?: SourcePosition;

  constructor(message: string, options: { position?: SourcePosition; hint?: string; cause?: unknown } = {}) {
    const where = options.position
      ? `${options.position.file}:${options.position.line}:${options.position.column}: `
      : '';
    super(where + message, { exitCode: ExitCode.badInput, hint: options.hint, cause: options.cause });
    this.position = options.position;
  }
}

/** Bad arguments on the command line. */
export class UsageError extends ReproError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.badInput, hint });
  }
}

/** A data file cannot be had or does not match its pinned hash. */
export class DataError extends ReproError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { exitCode: ExitCode.badInput, ...options });
  }
}

/**
 * A path that would reach where it must not: a build-context link leaving the repository, a model weight path
 * climbing out of the model's folder, a run folder that is (or resolves into) the committed results.
 */
export class UnsafePathError extends ReproError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.badInput, hint });
  }
}

/** Another process holds what this command needs (a lock file naming its pid): wait for it, or stop it. */
export class BusyError extends ReproError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.badInput, hint });
  }
}

/** No Docker engine, a failed image build, a container that cannot start. */
export class EngineError extends ReproError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { exitCode: ExitCode.environment, ...options });
  }
}

/** A notebook failed: a cell raised, timed out, or the kernel died. */
export class NotebookError extends ReproError {
  readonly notebook: string;
  readonly cellIndex?: number;

  constructor(
    message: string,
    options: { notebook: string; cellIndex?: number; hint?: string; cause?: unknown },
  ) {
    const where = options.cellIndex === undefined ? options.notebook : `${options.notebook} cell ${options.cellIndex}`;
    super(`${where}: ${message}`, { exitCode: ExitCode.difference, hint: options.hint, cause: options.cause });
    this.notebook = options.notebook;
    this.cellIndex = options.cellIndex;
  }
}

/** A re-run differs from the committed results. */
export class DiffError extends ReproError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.difference, hint });
  }
}

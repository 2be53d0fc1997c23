// Command-line options shared by the commands that take them: numbers checked, and --engine.
import { Option } from 'commander';
import type { EngineKind } from '../engine/types.ts';
import { UsageError } from '../errors.ts';

/** A TCP port given on the command line, or the fallback when none was given. */
export function parsePort(text: string | undefined, fallback: number): number;
export function parsePort(text: string | undefined, fallback?: number): number | undefined;
export function parsePort(text: string | undefined, fallback?: number): number | undefined {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port must be a port number from 1 to 65535 (got ${text})`);
  return port;
}

/** A positive number of seconds given as option `name`, in milliseconds. */
export function parseSeconds(name: string, text: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`${name} must be a positive number of seconds (got ${text})`);
  return seconds * 1000;
}

/** The engines a command can name with --engine: a container engine, and this machine's kernels where that makes sense. */
export type EngineFlag = EngineKind | 'local';

const autoEngine = 'default: Docker if it answers, else podman';

/**
 * --engine for a command. Absent means auto (Docker if it answers, else podman's socket); commander refuses any other
 * value with exit 2, naming the choices.
 */
export function engineOption(what: string, options: { local?: string } = {}): Option {
  const choices: EngineFlag[] = options.local === undefined ? ['docker', 'podman'] : ['docker', 'podman', 'local'];
  const local = options.local === undefined ? '' : `, or local: ${options.local}`;
  return new Option('--engine <engine>', `${what}: docker or podman (${autoEngine})${local}`).choices(choices);
}

// Checks for numeric command-line options, shared by the commands that take them.
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

// What a notebook's kernel may see of the environment repro was started in: an allow-list, so a reviewer's tokens,
// cloud keys and agent sockets never reach code they did not write, on this machine or in a container.

/** Always passed through: what programs need to find things and print text the same way. */
const alwaysAllowed = ['PATH', 'HOME', 'LANG', 'TZ'];

/** The kernel's environment: the allowed names, every REPRO_* variable, and the names research.yaml's run.env lists. */
export function kernelEnvironment(from: NodeJS.ProcessEnv, extra: readonly string[]): Record<string, string> {
  const allowed = new Set([...alwaysAllowed, ...extra]);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(from)) {
    if (value !== undefined && (allowed.has(name) || name.startsWith('REPRO_'))) env[name] = value;
  }
  return env;
}

/** The run.env values to hand into a run container, whose inner repro applies the same allow-list. */
export function passedEnvironment(from: NodeJS.ProcessEnv, names: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of names) if (from[name] !== undefined) env[name] = from[name];
  return env;
}

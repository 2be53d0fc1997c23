// Renders a service image's Dockerfile from its template (Dockerfile.server.template for echo and model services,
// Dockerfile.service.template for command services): pure text in, text out, so the same
// service always gives the same Dockerfile (and, with the same files, the same image tag).

export interface ServiceImageSpec {
  /** research.yaml's service name. */
  service: string;
  /** Base image reference (environment.base). */
  base: string;
  port: number;
  /** Built-in services (echo, model) run the bundled server; a command service runs its own command. */
  kind: 'builtin' | 'command';
  /** For command services: the argv to start. */
  command?: readonly string[];
  /** Debian packages to install, name → exact version, or name → '' for the suite's version. Command services only. */
  packages?: Readonly<Record<string, string>>;
}

/** Where the files go in the image: the bundled server in /srv; a command service's files at their repo paths in /project. */
export function serviceWorkdir(kind: ServiceImageSpec['kind']): string {
  return kind === 'builtin' ? '/srv' : '/project';
}

export function renderServiceDockerfile(spec: ServiceImageSpec, template: string): string {
  const command =
    spec.kind === 'builtin'
      ? ['node', '/srv/serve.mjs', '--config', '/srv/service.json', '--host', '0.0.0.0', '--port', String(spec.port)]
      : [...(spec.command ?? [])];
  if (command.length === 0) throw new Error(`service ${spec.service}: a command service needs a command`);
  const values: Record<string, string> = {
    base: spec.base,
    packages: renderPackages(spec.packages ?? {}),
    workdir: serviceWorkdir(spec.kind),
    port: String(spec.port),
    service: JSON.stringify(spec.service),
    // The exec form: the process is PID 1 and receives `docker stop`'s SIGTERM itself.
    command: JSON.stringify(command),
  };
  const text = template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    if (!(name in values)) throw new Error(`the service template: unknown placeholder ${whole}`);
    return values[name];
  });
  // An empty {{packages}} leaves a blank line; keep the output tidy and stable.
  return text.replace(/\n{3,}/g, '\n\n');
}

function renderPackages(packages: Readonly<Record<string, string>>): string {
  const names = Object.keys(packages).sort();
  if (names.length === 0) return '';
  const pins = names.map((name) => (packages[name] ? `${name}=${packages[name]}` : name));
  return [
    '# The Debian packages the service command needs (environment.apt), at their locked versions.',
    `RUN apt-get update && apt-get install -y --no-install-recommends ${pins.join(' ')} && rm -rf /var/lib/apt/lists/*`,
  ].join('\n');
}

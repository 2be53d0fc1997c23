// Service Dockerfiles are rendered from Dockerfile.server.template (echo, model) and Dockerfile.service.template
// (command services); golden files show exactly what each kind gets.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderServiceDockerfile, type ServiceImageSpec } from '../../src/render/service.ts';
import { repoRoot } from '../model/data-files.ts';

const golden = join(repoRoot, 'test/fixtures/serve');

async function expectGolden(name: string, text: string): Promise<void> {
  const path = join(golden, name);
  // UPDATE_GOLDEN=1 rewrites the files; the diff is then reviewed like code.
  if (process.env.UPDATE_GOLDEN) await writeFile(path, text);
  expect(text).toBe(await readFile(path, 'utf8'));
}

describe('renderServiceDockerfile', async () => {
  const template = await readFile(join(repoRoot, 'Dockerfile.service.template'), 'utf8');
  const server = await readFile(join(repoRoot, 'Dockerfile.server.template'), 'utf8');

  it('a built-in service (echo or model): Node.js, its libraries and the bundled server on no userland; no apt, no shell', async () => {
    const text = renderServiceDockerfile({ service: 'games', base: 'debian:bookworm', port: 5000, kind: 'builtin' }, server);
    await expectGolden('Dockerfile.builtin', text);
    const instructions = text.split('\n').filter((line) => !line.startsWith('#')).join('\n');
    expect(instructions).not.toMatch(/apt-get|jupyter|tslab|npm/i);
    // The final stage starts empty and takes only the libraries from the (locked) base.
    const final = instructions.slice(instructions.lastIndexOf('FROM '));
    expect(final.split('\n')[0]).toBe('FROM scratch');
    expect(final).not.toMatch(/^RUN /m);
    expect(instructions).toMatch(/^FROM debian:bookworm AS libraries$/m);
    expect(text).toContain('CMD ["node","/srv/serve.mjs","--config","/srv/service.json","--host","0.0.0.0","--port","5000"]');
  });

  it('a command service, like the original echo.py: its files, its packages pinned, its command', async () => {
    const spec: ServiceImageSpec = {
      service: 'echo-py',
      base: 'debian:bookworm',
      port: 5000,
      kind: 'command',
      command: ['python3', 'echo.py'],
      packages: { 'python3-flask': '2.2.2-3', python3: '' },
    };
    const text = renderServiceDockerfile(spec, template);
    await expectGolden('Dockerfile.command', text);
    expect(text).toContain('apt-get install -y --no-install-recommends python3 python3-flask=2.2.2-3');
    expect(text).toContain('CMD ["python3","echo.py"]');
  });

  it('is deterministic and refuses an unknown placeholder', () => {
    const spec: ServiceImageSpec = { service: 'echo', base: 'debian:bookworm', port: 5000, kind: 'builtin' };
    expect(renderServiceDockerfile(spec, template)).toBe(renderServiceDockerfile(spec, template));
    expect(() => renderServiceDockerfile(spec, 'FROM {{bas}}\n')).toThrow(/unknown placeholder \{\{bas\}\}/);
  });
});

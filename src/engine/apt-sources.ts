// Read the host's Debian apt sources (one-line .list and deb822 .sources) so the base is bootstrapped from the
// mirror this machine already trusts; no mirror host name is written into repro itself.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../errors.ts';

export interface AptSource {
  /** "deb" or "deb-src". */
  type: string;
  uri: string;
  suites: string[];
  components: string[];
}

/** Parse `deb [options] URI suite component…` lines; comments and blank lines are ignored. */
export function parseSourcesList(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    // Options in brackets ([arch=amd64 signed-by=…]) say nothing about where packages come from.
    const words = line.replace(/\[[^\]]*\]/, ' ').trim().split(/\s+/);
    const [type, uri, suite, ...components] = words;
    if ((type !== 'deb' && type !== 'deb-src') || !uri || !suite) continue;
    sources.push({ type, uri, suites: [suite], components });
  }
  return sources;
}

/** Parse deb822 stanzas (Types/URIs/Suites/Components), skipping those with `Enabled: no`. */
export function parseDeb822(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const raw of stanza.split('\n')) {
      if (raw.startsWith('#')) continue;
      if (/^\s/.test(raw) && last) {
        // A continuation line (e.g. a multi-line Signed-By key block) belongs to the field above.
        fields.set(last, `${fields.get(last)} ${raw.trim()}`);
        continue;
      }
      const match = /^([A-Za-z-]+):\s*(.*)$/.exec(raw);
      if (!match) continue;
      last = match[1].toLowerCase();
      fields.set(last, match[2].trim());
    }
    if ((fields.get('enabled') ?? 'yes').toLowerCase() === 'no') continue;
    const list = (key: string) => (fields.get(key) ?? '').split(/\s+/).filter(Boolean);
    for (const type of list('types')) {
      if (type !== 'deb' && type !== 'deb-src') continue;
      for (const uri of list('uris')) {
        sources.push({ type, uri, suites: list('suites'), components: list('components') });
      }
    }
  }
  return sources;
}

/** Every apt source configured on this machine: sources.list, sources.list.d/*.list and *.sources. */
export async function readHostSources(root = '/etc/apt'): Promise<AptSource[]> {
  const sources: AptSource[] = [];
  const main = await readFile(join(root, 'sources.list'), 'utf8').catch(() => '');
  sources.push(...parseSourcesList(main));
  const dir = join(root, 'sources.list.d');
  const names = (await readdir(dir).catch(() => [] as string[])).sort();
  for (const name of names) {
    const text = await readFile(join(dir, name), 'utf8').catch(() => '');
    if (name.endsWith('.list')) sources.push(...parseSourcesList(text));
    else if (name.endsWith('.sources')) sources.push(...parseDeb822(text));
  }
  return sources;
}

/** The binary-package sources that serve `suite` and its -updates/-security companions. */
export function sourcesForSuite(sources: AptSource[], suite: string): AptSource[] {
  const wanted = new Set([suite, `${suite}-updates`, `${suite}-security`]);
  return sources
    .filter((source) => source.type === 'deb')
    .map((source) => ({ ...source, suites: source.suites.filter((s) => wanted.has(s)) }))
    .filter((source) => source.suites.length > 0);
}

/** The mirror to bootstrap `suite` from: $REPRO_DEBIAN_MIRROR, else the host source that serves the suite itself. */
export function pickMirror(sources: AptSource[], suite: string, env = process.env): string {
  if (env.REPRO_DEBIAN_MIRROR) return env.REPRO_DEBIAN_MIRROR;
  const source = sources.find((s) => s.type === 'deb' && s.suites.includes(suite));
  if (!source) {
    throw new EngineError(`no apt source on this machine serves Debian ${suite}, so the base image cannot be bootstrapped`, {
      hint: `add one to /etc/apt/sources.list.d/, or set REPRO_DEBIAN_MIRROR to a Debian mirror URL`,
    });
  }
  return source.uri;
}

/** A one-line sources.list for the bootstrapped base, matching what the host uses for that suite. */
export function renderSourcesList(sources: AptSource[]): string {
  const lines = sources.flatMap((source) =>
    source.suites.map((suite) => `deb ${source.uri} ${suite} ${(source.components.length > 0 ? source.components : ['main']).join(' ')}`),
  );
  return lines.join('\n') + '\n';
}

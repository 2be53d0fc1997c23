import { describe, expect, it } from 'vitest';
import { parseDeb822, parseSourcesList, pickMirror, renderSourcesList, sourcesForSuite } from '../../src/engine/apt-sources.ts';

const deb822 = `Types: deb
# http://snapshot.example/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb deb-src
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main contrib

Enabled: no
Types: deb
URIs: http://disabled.example/debian
Suites: bookworm
`;

describe('apt sources', () => {
  it('reads deb822 stanzas, skipping disabled ones and comments', () => {
    const sources = parseDeb822(deb822);
    expect(sources).toEqual([
      { type: 'deb', uri: 'http://mirror.example/debian', suites: ['bookworm', 'bookworm-updates'], components: ['main'] },
      { type: 'deb', uri: 'http://mirror.example/debian-security', suites: ['bookworm-security'], components: ['main', 'contrib'] },
      { type: 'deb-src', uri: 'http://mirror.example/debian-security', suites: ['bookworm-security'], components: ['main', 'contrib'] },
    ]);
  });

  it('reads one-line sources with options and comments', () => {
    const text = '# comment\ndeb [arch=amd64 signed-by=/k.gpg] http://m.example/debian bookworm main contrib\n\ndeb-src http://m.example/debian bookworm main # trailing\nnonsense line\n';
    expect(parseSourcesList(text)).toEqual([
      { type: 'deb', uri: 'http://m.example/debian', suites: ['bookworm'], components: ['main', 'contrib'] },
      { type: 'deb-src', uri: 'http://m.example/debian', suites: ['bookworm'], components: ['main'] },
    ]);
  });

  it('picks the source that serves the suite itself, and REPRO_DEBIAN_MIRROR first', () => {
    const sources = parseDeb822(deb822);
    expect(pickMirror(sources, 'bookworm', {})).toBe('http://mirror.example/debian');
    expect(pickMirror(sources, 'bookworm', { REPRO_DEBIAN_MIRROR: 'http://other.example/d' })).toBe('http://other.example/d');
    expect(() => pickMirror(sources, 'trixie', {})).toThrow(/no apt source on this machine serves Debian trixie/);
  });

  it('writes the suite, updates and security sources for the bootstrapped base', () => {
    const text = renderSourcesList(sourcesForSuite(parseDeb822(deb822), 'bookworm'));
    expect(text).toBe(
      'deb http://mirror.example/debian bookworm main\n' +
        'deb http://mirror.example/debian bookworm-updates main\n' +
        'deb http://mirror.example/debian-security bookworm-security main contrib\n',
    );
  });
});

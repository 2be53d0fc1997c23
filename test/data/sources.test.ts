import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachePath, defaultCacheDir, parseMirrors } from '../../src/data/index.ts';

describe('parseMirrors', () => {
  it('splits folders on ":" and resolves relative ones against the project', () => {
    expect(parseMirrors('../shared/data:/abs/mirror', '/work/main')).toEqual([
      { kind: 'folder', spec: '../shared/data', location: '/work/shared/data' },
      { kind: 'folder', spec: '/abs/mirror', location: '/abs/mirror' },
    ]);
  });

  it('keeps the colons of http(s) URLs, ports included', () => {
    expect(parseMirrors('https://example.org/data/:http://127.0.0.1:8080/m:local', '/p')).toEqual([
      { kind: 'url', spec: 'https://example.org/data/', location: 'https://example.org/data' },
      { kind: 'url', spec: 'http://127.0.0.1:8080/m', location: 'http://127.0.0.1:8080/m' },
      { kind: 'folder', spec: 'local', location: '/p/local' },
    ]);
  });

  it('ignores empty parts and an unset variable', () => {
    expect(parseMirrors(undefined, '/p')).toEqual([]);
    expect(parseMirrors('::a:', '/p')).toEqual([{ kind: 'folder', spec: 'a', location: '/p/a' }]);
  });
});

describe('the cache', () => {
  it('is $REPRO_CACHE, else ~/.cache/repro, and keeps files by sha256', () => {
    expect(defaultCacheDir({ REPRO_CACHE: '/c' })).toBe('/c');
    expect(defaultCacheDir({ HOME: '/home/u' })).toMatch(/\.cache\/repro$/);
    expect(cachePath('/c', 'ab'.repeat(32))).toBe(path.join('/c', 'sha256', 'ab'.repeat(32)));
  });
});

import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Progress } from '../../src/cli/progress.ts';
import { cachePath, ensureData, type EnsuredData } from '../../src/data/index.ts';
import { DataError } from '../../src/errors.ts';
import { loadManifest } from '../../src/manifest/load.ts';
import type { DataEntry } from '../../src/manifest/schema.ts';
import { repoRoot, tempDir } from '../manifest/helpers.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const content = 'game,minute,win\n1,5,1\n2,7,0\n';
const entry = (url = 'http://127.0.0.1:1/none/a.csv', hash = sha256(content)): DataEntry => ({ path: 'data/a.csv', url, sha256: hash });

/** A project folder, a cache folder and a mirror folder holding a.csv. */
async function setup(mirrorContent = content) {
  const root = await tempDir();
  const project = path.join(root, 'project');
  const cache = path.join(root, 'cache');
  const mirror = path.join(root, 'mirror');
  await mkdir(project);
  await mkdir(mirror);
  await writeFile(path.join(mirror, 'a.csv'), mirrorContent);
  return { root, project, cache, mirror };
}

async function failure(promise: Promise<unknown>): Promise<DataError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DataError);
  expect((error as DataError).exitCode).toBe(2);
  return error as DataError;
}

/** No temp file is left beside the data file. */
async function expectNoTempFiles(folder: string) {
  const names = await readdir(folder).catch(() => [] as string[]);
  expect(names.filter((n) => n.endsWith('.repro-tmp'))).toEqual([]);
}

let server: Server;
let base: string;
const requests: string[] = [];
beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push(request.url ?? '');
    if (request.url === '/files/a.csv') {
      response.writeHead(200, { 'content-length': Buffer.byteLength(content), 'content-type': 'text/csv' });
      response.end(content);
    } else if (request.url === '/moved/a.csv') {
      response.writeHead(302, { location: '/files/a.csv' });
      response.end();
    } else if (request.url === '/wrong/a.csv') {
      response.end('not the pinned bytes\n');
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('ensureData', () => {
  it('copies from a mirror folder (relative to the project) and fills the cache', async () => {
    const { project, cache } = await setup();
    const [file] = await ensureData(project, [entry()], { cacheDir: cache, mirrors: '../mirror', download: false });
    expect(file).toMatchObject({ path: 'data/a.csv', origin: 'mirror', from: path.join('../mirror', 'a.csv'), bytes: Buffer.byteLength(content) });
    expect(await readFile(path.join(project, 'data/a.csv'), 'utf8')).toBe(content);
    expect(await readFile(cachePath(cache, sha256(content)), 'utf8')).toBe(content);
    await expectNoTempFiles(path.join(project, 'data'));
  });

  it('takes it from the cache the second time, with no mirror', async () => {
    const { project, cache } = await setup();
    await ensureData(project, [entry()], { cacheDir: cache, mirrors: '../mirror', download: false });
    const other = await tempDir();
    const [file] = await ensureData(other, [entry()], { cacheDir: cache, mirrors: '', download: false });
    expect(file.origin).toBe('cache');
    expect(await readFile(path.join(other, 'data/a.csv'), 'utf8')).toBe(content);
  });

  it('does nothing when the right file is already in place', async () => {
    const { project, cache } = await setup();
    await mkdir(path.join(project, 'data'));
    await writeFile(path.join(project, 'data/a.csv'), content);
    const ready: EnsuredData[] = [];
    const [file] = await ensureData(project, [entry()], { cacheDir: cache, mirrors: '/nonexistent', onReady: (f) => ready.push(f) });
    expect(file).toMatchObject({ origin: 'present', from: 'data/a.csv', sha256: sha256(content) });
    expect(ready).toEqual([file]);
  });

  it('downloads from the URL over HTTP, following redirects, with a progress line', async () => {
    const { project, cache } = await setup();
    const updates: string[] = [];
    const progress: Progress = { update: (t) => updates.push(t), log: () => {}, done: () => {} };
    const [file] = await ensureData(project, [entry(`${base}/moved/a.csv`)], { cacheDir: cache, mirrors: '', progress });
    expect(file).toMatchObject({ origin: 'url', from: `${base}/moved/a.csv` });
    expect(await readFile(path.join(project, 'data/a.csv'), 'utf8')).toBe(content);
    expect(await readFile(cachePath(cache, sha256(content)), 'utf8')).toBe(content);
    expect(updates.some((u) => u.includes(`data/a.csv: 28 B / 28 B from url ${base}/moved/a.csv`))).toBe(true);
  });

  it('uses an HTTP mirror by base URL, files by basename', async () => {
    const { project, cache } = await setup();
    const [file] = await ensureData(project, [entry()], { cacheDir: cache, mirrors: `${base}/nothing-here:${base}/files`, download: false });
    expect(file).toMatchObject({ origin: 'mirror', from: `${base}/files/a.csv` });
  });

  it('refuses a copy with the wrong hash: both hashes and the source shown, nothing left behind', async () => {
    const { project, cache } = await setup('tampered\n');
    const error = await failure(ensureData(project, [entry(`${base}/wrong/a.csv`)], { cacheDir: cache, mirrors: '../mirror' }));
    expect(error.message).toContain('data/a.csv: refused: no source has the pinned file.');
    expect(error.message).toContain(`expected sha256 ${sha256(content)} (research.yaml)`);
    expect(error.message).toContain(`actual   sha256 ${sha256('tampered\n')} (mirror ${path.join('../mirror', 'a.csv')})`);
    expect(error.message).toContain(`actual   sha256 ${sha256('not the pinned bytes\n')} (url ${base}/wrong/a.csv)`);
    expect(error.hint).toContain('put its sha256 in research.yaml');
    await expect(readFile(path.join(project, 'data/a.csv'))).rejects.toThrow(/ENOENT/);
    await expect(readFile(cachePath(cache, sha256(content)))).rejects.toThrow(/ENOENT/);
    await expectNoTempFiles(path.join(project, 'data'));
  });

  it('refuses to overwrite a file already at the path with another hash, and leaves it intact', async () => {
    const { project, cache } = await setup();
    await mkdir(path.join(project, 'data'));
    await writeFile(path.join(project, 'data/a.csv'), 'my own edits\n');
    const error = await failure(ensureData(project, [entry()], { cacheDir: cache, mirrors: '../mirror' }));
    expect(error.message).toContain('data/a.csv is already there but is not the pinned file; refusing to overwrite it.');
    expect(error.message).toContain(`expected sha256 ${sha256(content)} (research.yaml)`);
    expect(error.message).toContain(`actual   sha256 ${sha256('my own edits\n')} (data/a.csv)`);
    expect(error.hint).toContain('Move or delete data/a.csv');
    expect(await readFile(path.join(project, 'data/a.csv'), 'utf8')).toBe('my own edits\n');
  });

  it('says what it tried when nothing has the file, and suggests REPRO_DATA_MIRROR', async () => {
    const { project, cache } = await setup();
    const error = await failure(ensureData(project, [entry(`${base}/gone/a.csv`)], { cacheDir: cache, mirrors: '' }));
    expect(error.message).toContain('data/a.csv: no source has it.');
    expect(error.message).toContain(`cache  ${cachePath(cache, sha256(content))}: not there`);
    expect(error.message).toContain(`url    ${base}/gone/a.csv: not there (HTTP 404)`);
    expect(error.hint).toContain('REPRO_DATA_MIRROR is not set');
    await expect(readdir(path.join(project, 'data'))).rejects.toThrow(/ENOENT/);
  });

  it('names the URL as not tried when downloads are off, and a refused connection by its code', async () => {
    const { project, cache } = await setup();
    const offline = await failure(ensureData(project, [entry()], { cacheDir: cache, mirrors: 'empty', download: false }));
    expect(offline.message).toContain('mirror  empty/a.csv: not there');
    expect(offline.message).toContain('url     http://127.0.0.1:1/none/a.csv: not tried (downloads are off)');
    expect(offline.hint).toContain('Put the file, under its own name, in one of the mirrors (REPRO_DATA_MIRROR=empty)');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await failure(ensureData(project, [entry(`http://127.0.0.1:${port}/a.csv`)], { cacheDir: cache, mirrors: '' }));
    expect(refused.message).toContain(`http://127.0.0.1:${port}/a.csv: ECONNREFUSED`);
  });

  it('drops a corrupt cache entry and goes on to the mirrors', async () => {
    const { project, cache } = await setup();
    await mkdir(path.dirname(cachePath(cache, sha256(content))), { recursive: true });
    await writeFile(cachePath(cache, sha256(content)), 'bit rot\n');
    const [file] = await ensureData(project, [entry()], { cacheDir: cache, mirrors: '../mirror', download: false });
    expect(file.origin).toBe('mirror');
    expect(await readFile(cachePath(cache, sha256(content)), 'utf8')).toBe(content);
  });

  it('places the files it can and reports every one it cannot in one error', async () => {
    const { project, cache } = await setup();
    const missing: DataEntry = { path: 'data/b.csv', url: `${base}/gone/b.csv`, sha256: sha256('b') };
    const missing2: DataEntry = { path: 'data/c.csv', url: `${base}/gone/c.csv`, sha256: sha256('c') };
    const error = await failure(ensureData(project, [missing, entry(), missing2], { cacheDir: cache, mirrors: '../mirror' }));
    expect(error.message).toMatch(/^2 data files are not in place:\ndata\/b\.csv: no source has it\.[\s\S]*\ndata\/c\.csv: no source has it\./);
    expect(await readFile(path.join(project, 'data/a.csv'), 'utf8')).toBe(content);
  });

  it('puts this repository\'s data in place from the shared mirror', async () => {
    const { manifest } = await loadManifest(repoRoot);
    const project = await tempDir();
    const files = await ensureData(project, manifest.data, { cacheDir: path.join(project, '.cache'), mirrors: path.resolve(repoRoot, '../shared/data'), download: false });
    expect(files.map((f) => f.origin)).toEqual(['mirror', 'mirror', 'mirror']);
    expect(files.map((f) => f.sha256)).toEqual(manifest.data.map((d) => d.sha256));
  });
});

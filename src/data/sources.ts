// Where a data file can come from: the content-addressed cache, mirrors ($REPRO_DATA_MIRROR), its URL.
// Each source opens a byte stream or says why it cannot; ensure.ts checks the bytes.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

export type SourceKind = 'cache' | 'mirror' | 'url';

/** An open source: its bytes, and their count when known (for progress). */
export interface Opened {
  stream: Readable;
  total?: number;
}

export interface Source {
  kind: SourceKind;
  /** Where, for people: a file path or URL. */
  label: string;
  /** Opens the bytes, or returns why there are none ("not there", "HTTP 500", "ECONNREFUSED"). */
  open(): Promise<Opened | { missing: string }>;
}

export interface Mirror {
  kind: 'folder' | 'url';
  /** As written in $REPRO_DATA_MIRROR. */
  spec: string;
  /** Absolute folder, or base URL without a trailing slash. */
  location: string;
}

/** $REPRO_CACHE, default ~/.cache/repro. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.REPRO_CACHE || path.join(os.homedir(), '.cache', 'repro'));
}

/** The cache keeps a file under its hash, so any project pinning the same bytes shares one copy. */
export function cachePath(cacheDir: string, sha256: string): string {
  return path.join(cacheDir, 'sha256', sha256);
}

/**
 * Parses a ':'-separated mirror list. Folders may be relative to the project root; http(s) base URLs
 * keep their own colons (`https://host:8080/data`), so the list is split with them in mind.
 */
export function parseMirrors(spec: string | undefined, projectDir: string): Mirror[] {
  if (!spec) return [];
  const parts = spec.split(':');
  const mirrors: Mirror[] = [];
  for (let i = 0; i < parts.length; i++) {
    let part = parts[i];
    if (/^https?$/i.test(part) && parts[i + 1]?.startsWith('//')) {
      part += ':' + parts[++i];
      if (/^\d+(\/|$)/.test(parts[i + 1] ?? '')) part += ':' + parts[++i];
      mirrors.push({ kind: 'url', spec: part, location: part.replace(/\/+$/, '') });
    } else if (part.trim() !== '') {
      mirrors.push({ kind: 'folder', spec: part, location: path.resolve(projectDir, part) });
    }
  }
  return mirrors;
}

export function cacheSource(cacheDir: string, sha256: string): Source {
  const file = cachePath(cacheDir, sha256);
  return { kind: 'cache', label: file, open: () => openFile(file) };
}

/** A mirror holds files by their basename. */
export function mirrorSource(mirror: Mirror, dataPath: string): Source {
  const name = path.posix.basename(dataPath);
  if (mirror.kind === 'folder') {
    const file = path.join(mirror.location, name);
    return { kind: 'mirror', label: path.join(mirror.spec, name), open: () => openFile(file) };
  }
  const url = `${mirror.location}/${encodeURIComponent(name)}`;
  return { kind: 'mirror', label: url, open: () => openUrl(url) };
}

export function urlSource(url: string): Source {
  return { kind: 'url', label: url, open: () => openUrl(url) };
}

async function openFile(file: string): Promise<Opened | { missing: string }> {
  const info = await stat(file).catch(() => undefined);
  if (!info) return { missing: 'not there' };
  if (!info.isFile()) return { missing: 'not a file' };
  return { stream: createReadStream(file), total: info.size };
}

async function openUrl(url: string): Promise<Opened | { missing: string }> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow' });
  } catch (error) {
    return { missing: networkReason(error) };
  }
  if (response.status === 404) return { missing: 'not there (HTTP 404)' };
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    return { missing: `HTTP ${response.status} ${response.statusText}`.trim() };
  }
  const length = Number(response.headers.get('content-length'));
  return {
    stream: Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>),
    total: Number.isFinite(length) && length > 0 ? length : undefined,
  };
}

/** fetch() wraps the useful part ("ECONNREFUSED", "ENOTFOUND host") in error.cause. */
function networkReason(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: string; hostname?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return `${cause.code}${cause.hostname ? ` ${cause.hostname}` : ''}`;
  if (cause?.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

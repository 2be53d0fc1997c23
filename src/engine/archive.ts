// Images out of and into the engine as tar streams: `docker save` (Docker 20.10 writes its legacy archive; podman's
// Docker API the same docker-archive) and `docker load` (which takes that archive, not an OCI layout, before Docker
// 25). `repro pack` converts between them. Reached through Engine.saveImage / Engine.loadImage.
import type Docker from 'dockerode';
import { EngineError } from '../errors.ts';
import { reason, statusCode } from './client.ts';

/** The image as `docker save` writes it (manifest.json, the config, one layer.tar per layer). */
export async function saveImage(docker: Docker, ref: string): Promise<NodeJS.ReadableStream> {
  try {
    return await docker.getImage(ref).get();
  } catch (error) {
    throw new EngineError(`cannot save image ${ref}: ${reason(error)}`, {
      hint: statusCode(error) === 404 ? 'build it first: repro build' : undefined,
      cause: error,
    });
  }
}

interface LoadMessage {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** Loads a docker-archive stream; returns the engine's lines ("Loaded image: …"). A refused or empty archive is an EngineError. */
export async function loadImage(docker: Docker, archive: NodeJS.ReadableStream): Promise<string[]> {
  let answer: NodeJS.ReadableStream;
  try {
    answer = await docker.loadImage(archive, { quiet: true });
  } catch (error) {
    throw new EngineError(`the engine refused to load the image: ${reason(error)}`, { cause: error });
  }
  let text = '';
  for await (const chunk of answer) text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const message = JSON.parse(line) as LoadMessage;
    const failure = message.errorDetail?.message ?? message.error;
    if (failure) throw new EngineError(`the engine could not load the image: ${failure}`);
    if (message.stream?.trim()) lines.push(message.stream.trim());
  }
  if (!lines.some((line) => line.startsWith('Loaded image'))) throw new EngineError(`the engine loaded no image from the archive${lines.length ? ` (${lines.join('; ')})` : ''}`);
  return lines;
}

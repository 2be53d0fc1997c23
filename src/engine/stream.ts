// The engine answers pulls, imports and builds with a stream of JSON objects, one per line; this reads them.

export interface EngineEvent {
  stream?: string;
  status?: string;
  progress?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string; code?: number };
  aux?: { ID?: string };
}

/** Call `onEvent` for each event; reject with the engine's message on the first error event. */
export function followJsonStream(stream: NodeJS.ReadableStream, onEvent: (event: EngineEvent) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let failed = false;
    const handle = (line: string) => {
      if (!line.trim() || failed) return;
      let event: EngineEvent;
      try {
        event = JSON.parse(line) as EngineEvent;
      } catch {
        event = { stream: line + '\n' };
      }
      onEvent(event);
      if (event.error) {
        failed = true;
        reject(new Error(event.errorDetail?.message ?? event.error));
      }
    };
    stream.on('data', (chunk: Buffer | string) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        handle(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
      }
    });
    stream.on('end', () => {
      handle(buffer);
      if (!failed) resolve();
    });
    stream.on('error', (error: Error) => {
      if (!failed) reject(error);
    });
  });
}

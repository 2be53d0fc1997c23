// `repro serve`'s end of a containerized service's log: a Unix socket in a private folder on the host, mounted into
// the container, which every service process connects to (main.ts --log-socket). Whole lines go on to this
// terminal. The request log thus crosses one socket instead of the container's output pipe, the engine's shim and
// its daemon: at tens of thousands of requests a second, that path cost the service a third of its tail latency.
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LogRelay {
  /** The host folder to mount into the container; it holds the socket. */
  dir: string;
  /** The socket's file name in `dir`. */
  socketName: string;
  /** Lines relayed so far. */
  lines(): number;
  /**
   * Stops taking connections, waits up to `graceMs` for the open ones to end (a stopping service sends its last
   * lines, then ends), writes any unfinished last line, and removes the folder.
   */
  close(graceMs?: number): Promise<void>;
}

const newline = 0x0a;

export async function startLogRelay(out: NodeJS.WritableStream): Promise<LogRelay> {
  // The service runs as its image's user, which may be neither this user nor root (and under rootless engines maps
  // to another host uid), so the socket is open to all (0666) behind a folder that cannot be listed (0711) and a
  // socket name that cannot be guessed: knowing the name is the permission.
  const dir = await mkdtemp(join(tmpdir(), 'repro-serve-'));
  await chmod(dir, 0o711);
  const socketName = `log-${randomBytes(16).toString('hex')}.sock`;
  const open = new Set<Promise<void>>();
  const sockets = new Set<Socket>();
  let relayed = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    let rest: Buffer = Buffer.alloc(0);
    const send = (chunk: Buffer) => {
      for (let at = chunk.indexOf(newline); at !== -1; at = chunk.indexOf(newline, at + 1)) relayed++;
      if (!out.write(chunk)) {
        socket.pause();
        out.once('drain', () => socket.resume());
      }
    };
    socket.on('data', (chunk: Buffer) => {
      const data = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      const cut = data.lastIndexOf(newline) + 1;
      rest = data.subarray(cut);
      if (cut > 0) send(data.subarray(0, cut));
    });
    const ended = new Promise<void>((resolve) => {
      socket.once('close', () => {
        if (rest.length) send(Buffer.concat([rest, Buffer.from('\n')]));
        rest = Buffer.alloc(0);
        sockets.delete(socket);
        resolve();
      });
    });
    socket.on('error', () => socket.destroy());
    open.add(ended);
    void ended.then(() => open.delete(ended));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(join(dir, socketName), () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(join(dir, socketName), 0o666);
  let closing: Promise<void> | undefined;
  return {
    dir,
    socketName,
    lines: () => relayed,
    close(graceMs = 2000) {
      closing ??= (async () => {
        server.close();
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
        await Promise.race([Promise.all(open), late]);
        clearTimeout(timer);
        for (const socket of sockets) socket.destroy();
        await Promise.all(open);
        await rm(dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

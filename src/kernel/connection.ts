// The connection file: five free loopback ports and a fresh key, written into a private temporary folder.
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ConnectionInfo {
  transport: 'tcp';
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: 'hmac-sha256';
  kernel_name: string;
}

export interface ConnectionFile {
  info: ConnectionInfo;
  /** Private (0700) folder holding the file; removed when the kernel stops. */
  dir: string;
  file: string;
}

/**
 * Asks the OS for free ports by binding port 0 on loopback. All five are held open together so that they are
 * distinct, then released for the kernel to bind (the same small race every Jupyter client accepts).
 */
export async function freeLoopbackPorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => {
      return new Promise<import('node:net').Server>((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, host, () => resolve(server));
      });
    }),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

export async function writeConnectionFile(kernelName: string): Promise<ConnectionFile> {
  const [shell, iopub, stdin, control, hb] = await freeLoopbackPorts(5);
  const info: ConnectionInfo = {
    transport: 'tcp',
    ip: '127.0.0.1',
    shell_port: shell,
    iopub_port: iopub,
    stdin_port: stdin,
    control_port: control,
    hb_port: hb,
    key: randomBytes(32).toString('hex'),
    signature_scheme: 'hmac-sha256',
    kernel_name: kernelName,
  };
  // mkdtemp creates the folder 0700: the key in the file is only readable by us.
  const dir = await mkdtemp(join(tmpdir(), 'repro-kernel-'));
  const file = join(dir, 'connection.json');
  await writeFile(file, JSON.stringify(info, null, 1) + '\n', { mode: 0o600 });
  return { info, dir, file };
}

// repro's own pack: the TypeScript (tslab) and JavaScript (jslab) kernels, from the tslab repro pins in
// toolkit/package-lock.json and installs at /opt/repro with the Node.js of research.lock. No Debian packages.
import type { BuildPack, KernelJson } from './index.ts';

/** Where the toolkit (bundled CLI + run-time node_modules) lives in every image. */
export const toolkitDir = '/opt/repro';

const tslab = (extra: string[]): string[] => ['/usr/local/bin/node', `${toolkitDir}/node_modules/tslab/bin/tslab`, 'kernel', '--config-path', '{connection_file}', ...extra];

const typescript: KernelJson = { argv: tslab([]), display_name: 'TypeScript', language: 'typescript' };
const javascript: KernelJson = { argv: tslab(['--js']), display_name: 'JavaScript', language: 'javascript' };

export const toolkitPack: BuildPack = { name: 'toolkit', apt: [], kernels: { tslab: typescript, jslab: javascript } };

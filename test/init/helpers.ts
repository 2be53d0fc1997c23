// Small repositories for the init detectors, written into throwaway folders.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tempDir } from '../manifest/helpers.ts';

const kernelspecs = {
  tslab: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
  jslab: { kernelspec: { name: 'jslab', display_name: 'JavaScript', language: 'javascript' } },
  python3: { kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' } },
  ir: { kernelspec: { name: 'ir', display_name: 'R', language: 'R' } },
} as const;

/** An nbformat 4.5 notebook with one code cell per source, on the given kernel. */
export function notebook(kernel: keyof typeof kernelspecs | Record<string, unknown>, ...sources: string[]): string {
  const metadata = typeof kernel === 'string' ? kernelspecs[kernel] : kernel;
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata,
    cells: sources.map((source, i) => ({ cell_type: 'code', id: `cell-${i}`, metadata: {}, execution_count: null, outputs: [], source })),
  });
}

/** A folder holding these files (path → content). */
export async function tree(files: Record<string, string | Buffer>): Promise<string> {
  const root = await tempDir('repro-init-');
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

/** `git init` and commit these paths (the rest stay untracked, or ignored by a .gitignore among them). */
export function gitCommit(root: string, paths: string[]): void {
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.org', '-c', 'commit.gpgsign=false', ...args], { cwd: root, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('add', '--', ...paths);
  git('commit', '-q', '-m', 'files');
}

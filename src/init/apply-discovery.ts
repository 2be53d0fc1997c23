// What --discover saw, folded into the proposal: comments on what each notebook wrote, an outputs folder taken from
// where a notebook wrote when it wrote nothing under REPRO_OUTPUTS, verify rules for what changed between runs,
// and Debian packages `repro lock` refused moved to the TODO list.
import { posix } from 'node:path';
import { savedErrorTodo, staticOutputsTodo, type Proposal } from './detect.ts';
import type { Discovery } from './discover.ts';
import { outputsSnippet } from './notebooks.ts';
import { holdsOtherFiles } from './outputs.ts';
import { isNetworkFailure, noNetworkHint } from '../run/network-failure.ts';

export function applyDiscovery(proposal: Proposal, discovery: Discovery, repoPaths: readonly string[]): Proposal {
  const dropped = new Set(discovery.droppedApt.map((item) => item.package));
  const result: Proposal = {
    ...proposal,
    apt: proposal.apt.filter((item) => !dropped.has(item.package)),
    aptTodo: [...proposal.aptTodo, ...discovery.droppedApt.map((item) => `${item.package} (${proposal.apt.find((apt) => apt.package === item.package)?.why ?? ''}): ${item.message}`)],
    entrypoints: proposal.entrypoints.map((entry) => ({ ...entry, todo: [...entry.todo], seen: [...entry.seen] })),
    verify: [...proposal.verify],
    notes: [
      ...proposal.notes,
      `--discover ran each notebook twice, ${discovery.where}, in a scratch copy of the repository, and compared what it wrote. ` +
        'It sees what a notebook writes with its default parameters and the files init found; a file written only under other ' +
        'conditions is not seen, nor is anything written outside the repository.',
    ],
  };
  for (const seen of discovery.notebooks) {
    const entry = result.entrypoints.find((item) => item.notebook === seen.notebook);
    if (!entry) continue;
    if (seen.status === 'failed') {
      const saved = entry.savedErrors?.find((item) => item.cell === seen.failedCell && item.ename === seen.failedError);
      if (saved) {
        // The run failed with the error the notebook was saved with: one TODO says both.
        const before = savedErrorTodo(saved, 'its saved outputs show');
        entry.todo = entry.todo.filter((line) => line !== before);
        entry.todo.push(`--discover: ${savedErrorTodo(saved, 'the --discover run failed there with it, as its saved outputs show')} (what it writes after that cell is not known yet)`);
      } else {
        const offline = isNetworkFailure({ evalue: seen.failure }) ? ` (${noNetworkHint})` : '';
        const cased = otherCase(seen.failure ?? '', entry.notebook, repoPaths);
        const hint = offline || (cased ? ` (${cased})` : '');
        const kept = seen.keptFailed ? `; the executed notebook is in ${seen.keptFailed}` : '';
        entry.todo.push(`--discover: the notebook failed at ${seen.failure}${hint}${kept}; fix it and run \`repro init --discover --force\` again (what it writes is not known yet)`);
      }
    }
    const wroteNoFiles = seen.status === 'ok' && seen.outputsWritten.length === 0 && seen.ownPaths.length === 0 && seen.onlyOnce.length === 0;
    if (wroteNoFiles) {
      // Nothing to move under REPRO_OUTPUTS: what it shows is its result, and the executed notebook keeps that.
      entry.todo = entry.todo.filter((line) => !line.startsWith(staticOutputsTodo));
      entry.seen.push('--discover: wrote no files; its results are what its cells show, kept in the executed notebook under outputs');
    } else {
      const under = seen.outputsWritten.length > 0 ? `wrote ${list(seen.outputsWritten)} under REPRO_OUTPUTS (kept here, with the executed notebook)` : 'wrote nothing under REPRO_OUTPUTS';
      entry.seen.push(`--discover: ${under}`);
    }
    if (seen.deleted.length > 0) entry.seen.push(`--discover: it deleted ${list(seen.deleted)} from the repository`);
    if (seen.ownPaths.length > 0) {
      const others = result.entrypoints.filter((item) => item !== entry).map((item) => item.outputs);
      const folder = commonFolder(seen.ownPaths);
      const kept = { paths: [...repoPaths.filter((path) => !seen.ownPaths.includes(path)), ...others, 'research.yaml', 'research.lock', 'package.json'] };
      if (seen.outputsWritten.length === 0 && folder && !holdsOtherFiles(folder, kept)) {
        entry.outputs = folder;
        entry.outputsWhy = 'the folder it wrote its files to in the --discover runs';
      }
      const fallback = posix.relative(posix.dirname(entry.notebook), entry.outputs) || '.';
      // The static TODO about REPRO_OUTPUTS says less than this one.
      entry.todo = entry.todo.filter((line) => !line.startsWith(staticOutputsTodo));
      entry.todo.push(
        `--discover: it wrote ${list(seen.ownPaths)} at paths of its own, outside REPRO_OUTPUTS. repro keeps only what a notebook writes under ` +
          `REPRO_OUTPUTS (in the container the project is read-only, so these writes fail): write them there, e.g. ${outputsSnippet(entry.language, fallback)}`,
      );
    }
    if (seen.onlyOnce.length > 0) entry.seen.push(`--discover: ${list(seen.onlyOnce)} written by one of the two runs only`);
    for (const variation of seen.variations) result.verify.push({ glob: variation.path, rule: variation.rule, why: `${variation.path} ${variation.why}`, ...(variation.cells ? { cells: variation.cells } : {}) });
    if (seen.status === 'ok' && seen.variations.length === 0 && seen.onlyOnce.length === 0 && seen.outputsWritten.length > 0) {
      entry.seen.push('--discover: the two runs wrote the same bytes');
    }
  }
  return result;
}

/**
 * A file the error names (quoted, relative to the notebook's folder) that the repository holds only under another
 * case: the notebook ran on a file system that ignores case (macOS, Windows); the container's does not.
 */
export function otherCase(failure: string, notebook: string, repoPaths: readonly string[]): string | undefined {
  const byLowercase = new Map(repoPaths.map((path) => [path.toLowerCase(), path]));
  for (const match of failure.matchAll(/'([^'\n]+)'|"([^"\n]+)"/g)) {
    const named = match[1] ?? match[2];
    if (!/[./]/.test(named) || named === '.' || posix.isAbsolute(named)) continue;
    const path = posix.normalize(posix.join(posix.dirname(notebook), named));
    const found = byLowercase.get(path.toLowerCase());
    if (found !== undefined && found !== path && !repoPaths.includes(path)) {
      return `the repository holds ${found}, not ${path}: file names are case-sensitive in the container, as on Linux; rename the file or fix the name in the notebook`;
    }
  }
  return undefined;
}

function list(paths: readonly string[]): string {
  return paths.length <= 6 ? paths.join(', ') : `${paths.slice(0, 5).join(', ')} and ${paths.length - 5} more`;
}

/** The deepest folder holding every path, or undefined when that is the project folder itself. */
export function commonFolder(paths: readonly string[]): string | undefined {
  const folders = paths.map((path) => posix.dirname(path).split('/'));
  const common: string[] = [];
  for (let i = 0; folders.every((parts) => i < parts.length && parts[i] === folders[0][i]); i++) common.push(folders[0][i]);
  const folder = common.join('/');
  return folder === '' || folder === '.' ? undefined : folder;
}

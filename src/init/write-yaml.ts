// A Proposal as research.yaml text, with a comment beside each value saying where it came from, and TODO comments
// for what only the author can answer. Built with the yaml Document API so that comments sit beside their fields.
// Pure: the same proposal gives the same bytes. What cannot validate yet (a data file with no URL) is written
// commented out, so the file always loads.
import { Document, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { formatBytes } from '../cli/progress.ts';
import type { CellRule, Tolerance } from '../manifest/schema.ts';
import type { CellProposal } from './cell-variation.ts';
import type { DataProposal } from './data.ts';
import type { EntrypointProposal, Proposal } from './detect.ts';

export function renderManifest(proposal: Proposal): string {
  const doc = new Document(new YAMLMap());
  const root = doc.contents as YAMLMap;
  doc.commentBefore = block([
    'research.yaml: written by `repro init`. Each value says where init found it; TODO comments are for you.',
    'Check it, then: repro lock && repro build && repro verify. Every field: docs/research-yaml.md',
    ...proposal.notes.flatMap((note) => wrap(note)),
  ]);

  root.add(pair('name', proposal.name, 'the folder\'s name'));
  const environmentKey = key('environment');
  if (!proposal.lockfile && proposal.npmTodo) environmentKey.commentBefore = block(wrap(`TODO: ${proposal.npmTodo}`));
  root.add(new Pair(environmentKey, environment(proposal)));

  const dataKey = key('data');
  if (proposal.data.length > 0) dataKey.commentBefore = dataComment();
  root.add(new Pair(dataKey, flowSeq()));

  // The commented-out data entries follow `data: []`, so that uncommenting them in place (and deleting the `[]`) works.
  const entrypointsKey = key('entrypoints');
  const beforeEntrypoints = [...dataEntries(proposal.data)];
  if (proposal.unusable.length > 0) {
    beforeEntrypoints.push('TODO: notebooks repro cannot run as they are (not listed below):', ...proposal.unusable.flatMap((item) => wrap(`  ${item.path}: ${item.reason}`)));
  }
  if (beforeEntrypoints.length > 0) entrypointsKey.commentBefore = block(beforeEntrypoints);
  const entrypoints = new YAMLSeq();
  for (const entry of proposal.entrypoints) entrypoints.add(entrypoint(entry));
  if (proposal.entrypoints.length === 0) entrypoints.flow = true;
  root.add(new Pair(entrypointsKey, entrypoints));

  if (proposal.verify.length > 0) {
    const verify = new YAMLMap();
    for (const item of proposal.verify) {
      const ruleKey = key(item.glob);
      ruleKey.commentBefore = block(wrap(item.why));
      verify.add(new Pair(ruleKey, item.cells ? cellsNode(doc, item.rule, item.cells) : ruleNode(doc, item.rule)));
    }
    const verifyKey = key('verify');
    verifyKey.commentBefore = block(['How closely a re-run must match the committed results, per file (globs; the last match wins).']);
    root.add(new Pair(verifyKey, verify));
  }

  const run = new YAMLMap();
  run.add(pair('seed', 42, 'every notebook gets it as REPRO_SEED'));
  root.add(new Pair(key('run'), run));
  return doc.toString({ lineWidth: 0 });
}

/** A rule on one line, its masks in single quotes (a regular expression reads as written there). */
function ruleNode(doc: Document, rule: Tolerance | CellRule): YAMLMap {
  const { mask, ...rest } = rule;
  const node = doc.createNode(rest) as YAMLMap;
  node.flow = true;
  if (mask !== undefined) {
    const quoted = mask.map((pattern) => Object.assign(new Scalar(pattern), { type: Scalar.QUOTE_SINGLE }));
    node.add(new Pair(key('mask'), quoted.length === 1 ? quoted[0] : Object.assign(new YAMLSeq(), { items: quoted, flow: true })));
  }
  return node;
}

/** A notebook's rule with its cell rules one per line, each with its why above it. */
function cellsNode(doc: Document, rule: Tolerance, cells: readonly CellProposal[]): YAMLMap {
  const { cells: _cells, ...rest } = rule;
  const node = ruleNode(doc, rest);
  node.flow = false;
  const list = new YAMLSeq();
  for (const cell of cells) {
    const item = ruleNode(doc, cell.rule);
    item.commentBefore = block(wrap(cell.why));
    list.add(item);
  }
  node.add(new Pair(key('cells'), list));
  return node;
}

function environment(proposal: Proposal): YAMLMap {
  const env = new YAMLMap();
  env.add(pair('base', 'debian:bookworm', "the base image; Debian's packages below are this release's"));
  if (proposal.kernels.length > 0) {
    const kernelsKey = key('kernels');
    kernelsKey.commentBefore = ' tslab (TypeScript) and jslab (JavaScript) are in every image; the notebooks also need:';
    env.add(new Pair(kernelsKey, blockSeq(proposal.kernels.map((kernel) => scalar(kernel, notebooksOn(proposal.entrypoints, kernel))))));
  }
  if (proposal.apt.length > 0 || proposal.aptTodo.length > 0) {
    const aptKey = key('apt');
    aptKey.commentBefore = block([
      'Debian packages for what the notebooks load; `repro lock` pins each to an exact version.',
      ...(proposal.aptTodo.length > 0
        ? [...wrap("TODO: no Debian package provides these, and the image holds only Debian's; find one (apt-cache search NAME) or drop the need:"), ...proposal.aptTodo.flatMap((line) => wrap(`  ${line}`))]
        : []),
    ]);
    env.add(new Pair(aptKey, proposal.apt.length > 0 ? blockSeq(proposal.apt.map((item) => scalar(item.package, item.why))) : flowSeq()));
  }
  if (proposal.lockfile) {
    const lockKey = key('lockfile');
    if (proposal.npmTodo) lockKey.commentBefore = block(wrap(`TODO: ${proposal.npmTodo}`));
    env.add(new Pair(lockKey, scalar(proposal.lockfile, '`npm ci` installs exactly this in the image')));
  }
  return env;
}

function notebooksOn(entrypoints: readonly EntrypointProposal[], kernel: string): string {
  return entrypoints
    .filter((entry) => entry.kernel === kernel)
    .map((entry) => entry.notebook)
    .join(', ');
}

function entrypoint(entry: EntrypointProposal): YAMLMap {
  const map = new YAMLMap();
  map.add(pair('notebook', entry.notebook, `${entry.kernel} kernel`));
  const outputsKey = key('outputs');
  const comments = [...entry.seen.flatMap((line) => wrap(line)), ...entry.todo.flatMap((line) => wrap(`TODO: ${line}`))];
  if (comments.length > 0) outputsKey.commentBefore = block(comments);
  map.add(new Pair(outputsKey, scalar(entry.outputs, entry.outputsWhy)));
  return map;
}

function dataComment(): string {
  return block([
    'Data files init found (in a data folder, over 1 MB, or not tracked by git), with their sha256. An entry needs',
    'the URL anyone can download the file from, which only you know, so they are commented out below; until then a',
    'file reaches the image only as part of the repository, if git tracks it.',
    'TODO: write each url, then delete the `[]` and uncomment the entries (`repro fetch` checks each file against',
    'its sha256).',
  ]);
}

function dataEntries(data: readonly DataProposal[]): string[] {
  return data.flatMap((file) => {
    const ignored = file.git === 'ignored' || file.git === 'untracked' ? '; the image has it only once this entry is uncommented' : '';
    return [`  - path: ${file.path} # ${file.why.join(', ')}; ${formatBytes(file.bytes)}${ignored}`, '    url: https://TODO', `    sha256: ${file.sha256}`];
  });
}

function key(name: string): Scalar {
  return new Scalar(name);
}

function scalar(value: unknown, comment?: string): Scalar {
  const node = new Scalar(value);
  if (comment) node.comment = ` ${comment}`;
  return node;
}

function pair(name: string, value: unknown, comment?: string): Pair {
  return new Pair(key(name), scalar(value, comment));
}

function blockSeq(items: Scalar[]): YAMLSeq {
  const seq = new YAMLSeq();
  for (const item of items) seq.add(item);
  return seq;
}

function flowSeq(): YAMLSeq {
  const seq = new YAMLSeq();
  seq.flow = true;
  return seq;
}

/** Comment text: yaml writes `#` before each line; a space after it reads better. */
function block(lines: readonly string[]): string {
  return lines.map((line) => ` ${line}`).join('\n');
}

/** One long sentence as comment lines of at most `width` characters. */
export function wrap(text: string, width = 110): string[] {
  const indent = /^ */.exec(text)?.[0] ?? '';
  const lines: string[] = [];
  let line = '';
  // A comment is one line: a newline in the text (an error's message) would end it and start YAML.
  for (const word of text.trimStart().replace(/\s*\n\s*/g, ' ').trimEnd().split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = `${indent}  ${word}`;
    } else line = line ? `${line} ${word}` : `${indent}${word}`;
  }
  if (line) lines.push(line);
  return lines;
}

// A cell that failed reaching for the network, which container runs do not have: recognised in Python, R and
// Node.js wordings (coloured tracebacks too), said in the run's hint and in init --discover's TODO.
import { describe, expect, it } from 'vitest';
import { applyDiscovery } from '../../src/init/apply-discovery.ts';
import type { Proposal } from '../../src/init/detect.ts';
import { notebookError } from '../../src/run/local.ts';
import { isNetworkFailure, noNetworkHint } from '../../src/run/network-failure.ts';

// What a python3 kernel with no network reported for pd.read_csv("https://…") (agussman/a_python_tutorial's
// sample_visualizations.ipynb in the container), shortened: IPython colours the traceback.
const pythonOffline = {
  ename: 'URLError',
  evalue: '<urlopen error [Errno -3] Temporary failure in name resolution>',
  traceback: ['\u001b[0;31mgaierror\u001b[0m: [Errno -3] Temporary failure in name resolution', '\u001b[0;31mURLError\u001b[0m: <urlopen error [Errno -3] Temporary \u001b[43mfailure\u001b[49m in name resolution>'],
};

describe('isNetworkFailure', () => {
  it.each([
    ['Python, urllib', pythonOffline],
    ['Python, a host that does not resolve', { ename: 'URLError', evalue: '<urlopen error [Errno -2] Name or service not known>' }],
    ['Python, requests', { ename: 'ConnectionError', evalue: "HTTPSConnectionPool(host='x.org', port=443): Max retries exceeded with url: /a.csv (Caused by NewConnectionError(': Failed to establish a new connection: [Errno 101] Network is unreachable'))" }],
    ['R, read.csv of a URL', { ename: 'ERROR', evalue: "cannot open the connection to 'https://x.org/a.csv'" }],
    ['R, download.file', { ename: 'ERROR', evalue: "URL 'https://x.org/a.csv': status was 'Couldn't resolve host name'" }],
    ['Node.js fetch', { ename: 'TypeError', evalue: 'fetch failed', traceback: ['TypeError: fetch failed', '  [cause]: Error: getaddrinfo ENOTFOUND x.org'] }],
    ['init --discover\'s one line', { evalue: 'cell 3: URLError: <urlopen error [Errno -3] Temporary failure in name resolution>' }],
  ])('%s', (_, failure) => {
    expect(isNetworkFailure(failure)).toBe(true);
  });

  it.each([
    ['a value error', { ename: 'ValueError', evalue: 'could not convert string to float: url' }],
    ['a missing file', { ename: 'FileNotFoundError', evalue: "[Errno 2] No such file or directory: 'data/urls.csv'" }],
    ['R, a missing local file', { ename: 'ERROR', evalue: "cannot open the connection to 'diet.csv'" }],
  ])('not %s', (_, failure) => {
    expect(isNetworkFailure(failure)).toBe(false);
  });
});

describe('the hint of a run with no network', () => {
  it('says why and what to do when the run was offline; another failure, or a run with a network, gets the usual hint', () => {
    const failure = { kind: 'error' as const, cellIndex: 3, ...pythonOffline };
    const offline = notebookError('nb/a.ipynb', failure, '.repro/failed/x/a.ipynb', true);
    expect(offline.hint).toBe(`${noNetworkHint}. The partially executed notebook is in .repro/failed/x/a.ipynb; outputs were left as they were.`);
    expect(offline.hint).toMatch(/^Notebooks run with no network \(run\.network: none\): put what the cell downloads into the repository/);
    expect(notebookError('nb/a.ipynb', failure, 'f.ipynb').hint).toBe('The partially executed notebook is in f.ipynb; outputs were left as they were.');
    const other = notebookError('nb/a.ipynb', { kind: 'error', cellIndex: 1, ename: 'KeyError', evalue: "'x'", traceback: [] }, 'f.ipynb', true);
    expect(other.hint).toBe('The partially executed notebook is in f.ipynb; outputs were left as they were.');
  });
});

describe('init --discover', () => {
  it('a notebook that failed reaching for the network gets a TODO saying so', () => {
    const proposal: Proposal = {
      name: 'x',
      kernels: ['python3'],
      apt: [],
      aptTodo: [],
      data: [],
      entrypoints: [{ notebook: 'nb/a.ipynb', kernel: 'python3', language: 'python', outputs: 'results/a', outputsWhy: 'x', todo: [], seen: [] }],
      unusable: [],
      verify: [],
      notes: [],
    };
    const failure = 'cell 3: URLError: <urlopen error [Errno -3] Temporary failure in name resolution>';
    const notebook = { notebook: 'nb/a.ipynb', outputs: 'results/a', status: 'failed' as const, failure, outputsWritten: [], ownPaths: [], deleted: [], variations: [], onlyOnce: [] };
    const [entry] = applyDiscovery(proposal, { where: 'in the container (repro/x:1)', droppedApt: [], notebooks: [notebook] }, ['nb/a.ipynb']).entrypoints;
    expect(entry.todo).toEqual([`--discover: the notebook failed at ${failure} (${noNetworkHint}); fix it and run \`repro init --discover --force\` again (what it writes is not known yet)`]);
  });
});

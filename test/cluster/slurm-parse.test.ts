// Slurm's text as plain values. The fixtures are real output of Slurm 22.05 (scripts/slurm-cluster.sh's cluster):
// array 18 (tasks 0–3, each exiting with its task id) while two ran, then finished; array 11 scancelled.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  arraySpec,
  isFinished,
  jobCompFile,
  mergeTaskStatus,
  parseRecord,
  parseSbatchParsable,
  parseSqueue,
  parseState,
  parseTaskRecords,
  sbatchArguments,
} from '../../src/cluster/slurm-parse.ts';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/cluster', name), 'utf8');

describe('arraySpec', () => {
  it.each([
    [8, undefined, '0-7'],
    [1, undefined, '0'],
    [8, 2, '0-7%2'],
    [[5, 1, 3, 4], undefined, '1,3-5'],
    [[0, 2, 4], 1, '0,2,4%1'],
    [[7, 7, 6], undefined, '6-7'],
  ] as const)('%j with limit %j is %s', (tasks, limit, expected) => {
    expect(arraySpec(tasks, limit)).toBe(expected);
  });

  it('refuses no tasks and bad indices', () => {
    expect(() => arraySpec([])).toThrow(/no tasks/);
    expect(() => arraySpec([1, -1])).toThrow(/bad task index -1/);
    expect(() => arraySpec([1.5])).toThrow(/bad task index 1.5/);
  });
});

describe('sbatchArguments', () => {
  it('asks for a parsable id, the array, one task of the given size, and names what the tasks get', () => {
    const args = sbatchArguments({
      script: '/shared/sweep/task.sh',
      tasks: [0, 1, 2, 5],
      limit: 4,
      name: 'repro-seeds',
      workdir: '/shared/sweep',
      output: '/shared/sweep/slurm/%A_%a.out',
      cpusPerTask: 2,
      memoryMb: 4096,
      timeMinutes: 15.5,
      partition: 'gpu',
      env: { REPRO_B: '2', REPRO_A: '1' },
    });
    expect(args).toEqual([
      '--parsable',
      '--array=0-2,5%4',
      '--job-name=repro-seeds',
      '--chdir=/shared/sweep',
      '--output=/shared/sweep/slurm/%A_%a.out',
      '--ntasks=1',
      '--cpus-per-task=2',
      '--mem=4096M',
      '--time=16',
      '--partition=gpu',
      '--export=ALL,REPRO_A,REPRO_B',
      '/shared/sweep/task.sh',
    ]);
  });

  it('leaves out what was not asked for', () => {
    expect(sbatchArguments({ script: 's.sh', tasks: 2, name: 'n', workdir: '/w', output: 'o' })).toEqual([
      '--parsable',
      '--array=0-1',
      '--job-name=n',
      '--chdir=/w',
      '--output=o',
      '--ntasks=1',
      's.sh',
    ]);
  });
});

describe('parseSbatchParsable', () => {
  it('reads the job id, with or without a cluster name', () => {
    expect(parseSbatchParsable('18\n')).toBe('18');
    expect(parseSbatchParsable('4242;cluster-a\n')).toBe('4242');
    expect(parseSbatchParsable('sbatch: warning: something\n77\n')).toBe('77');
  });
  it('refuses anything else, quoting it', () => {
    expect(() => parseSbatchParsable('Submitted batch job 18')).toThrow('sbatch printed no job id (got "Submitted batch job 18")');
    expect(() => parseSbatchParsable('')).toThrow(/no job id/);
  });
});

describe('parseState', () => {
  it('reads the words squeue, scontrol and sacct print', () => {
    expect(parseState('RUNNING')).toBe('RUNNING');
    expect(parseState('CANCELLED by 0')).toBe('CANCELLED');
    expect(parseState('COMPLETED+')).toBe('COMPLETED');
    expect(parseState('out_of_memory')).toBe('OUT_OF_MEMORY');
    expect(parseState('SOMETHING_NEW')).toBe('UNKNOWN');
    expect([isFinished('TIMEOUT'), isFinished('COMPLETING'), isFinished('PENDING'), isFinished('UNKNOWN')]).toEqual([true, false, false, false]);
  });
});

describe('parseSqueue (squeue -h -r -o %K|%A|%T|%N|%S|%r)', () => {
  it('gives one row per task: running ones with node and start, pending ones with the reason and no start', () => {
    expect(parseSqueue(fixture('squeue.txt'))).toEqual([
      { task: 2, jobId: '18', state: 'PENDING', reason: 'Resources' },
      { task: 3, jobId: '18', state: 'PENDING', reason: 'Resources' },
      { task: 1, jobId: '20', state: 'RUNNING', node: 'vm', startedAt: '2026-11-29T09:00:25' },
      { task: 0, jobId: '19', state: 'RUNNING', node: 'vm', startedAt: '2026-11-29T09:00:25' },
    ]);
  });
  it('skips blank lines and rows without a task id (a job that is not an array)', () => {
    expect(parseSqueue('\nN/A|5|RUNNING|vm|2026-11-29T09:00:25|None\n')).toEqual([]);
  });
});

describe('parseRecord', () => {
  it('splits key=value pairs, values with spaces running to the next key, empty values kept', () => {
    const record = parseRecord('JobId=3 Name=my job JobState=FAILED Account= Tres=cpu=1,mem=1G ExitCode=3:0 ');
    expect(Object.fromEntries(record)).toEqual({ JobId: '3', Name: 'my job', JobState: 'FAILED', Account: '', Tres: 'cpu=1,mem=1G', ExitCode: '3:0' });
  });
});

describe('parseTaskRecords', () => {
  it('reads scontrol -o show job while running: single tasks only (the pending remainder "2-3" is squeue\'s)', () => {
    const tasks = parseTaskRecords(fixture('scontrol-live.txt'), '18');
    expect(tasks.map((task) => [task.task, task.jobId, task.state])).toEqual([
      [1, '20', 'RUNNING'],
      [0, '19', 'RUNNING'],
    ]);
    expect(tasks[0].exitCode).toBeUndefined();
  });

  it('reads finished tasks from scontrol: exit code, node, start and end', () => {
    const tasks = parseTaskRecords(fixture('scontrol-done.txt'), '18');
    expect(tasks.find((task) => task.task === 3)).toEqual({
      task: 3,
      jobId: '18',
      state: 'FAILED',
      exitCode: 3,
      node: 'vm',
      startedAt: '2026-11-29T09:00:30',
      endedAt: '2026-11-29T09:00:33',
      reason: 'NonZeroExitCode',
    });
    expect(tasks.map((task) => [task.task, task.state, task.exitCode]).sort()).toEqual([
      [0, 'COMPLETED', 0],
      [1, 'FAILED', 1],
      [2, 'FAILED', 2],
      [3, 'FAILED', 3],
    ]);
  });

  it('reads the jobcomp/filetxt file, keeping only the asked array', () => {
    const text = fixture('jobcomp.txt');
    expect(parseTaskRecords(text, '18').map((task) => [task.task, task.state, task.exitCode])).toEqual([
      [0, 'COMPLETED', 0],
      [1, 'FAILED', 1],
      [3, 'FAILED', 3],
      [2, 'FAILED', 2],
    ]);
    expect(parseTaskRecords(text, '11').map((task) => [task.task, task.state])).toEqual([
      [1, 'CANCELLED'],
      [2, 'CANCELLED'],
      [0, 'CANCELLED'],
    ]);
    expect(parseTaskRecords(text, '1')).toEqual([]);
  });
});

describe('mergeTaskStatus', () => {
  it('prefers live rows, then the first record list, then later ones; sorted by task', () => {
    const merged = mergeTaskStatus(
      [{ task: 2, state: 'RUNNING' }],
      [{ task: 1, state: 'FAILED', exitCode: 1 }],
      [
        { task: 0, state: 'COMPLETED', exitCode: 0 },
        { task: 1, state: 'COMPLETED', exitCode: 0 },
        { task: 2, state: 'CANCELLED' },
      ],
    );
    expect(merged).toEqual([
      { task: 0, state: 'COMPLETED', exitCode: 0 },
      { task: 1, state: 'FAILED', exitCode: 1 },
      { task: 2, state: 'RUNNING' },
    ]);
  });
});

describe('jobCompFile', () => {
  it('is JobCompLoc when the cluster writes jobcomp/filetxt', () => {
    expect(jobCompFile(fixture('config.txt'))).toBe('/var/log/slurm/jobcomp.log');
  });
  it('is nothing for another completion plugin', () => {
    expect(jobCompFile('JobCompLoc = /var/log/x\nJobCompType = jobcomp/elasticsearch\n')).toBeUndefined();
    expect(jobCompFile('')).toBeUndefined();
  });
});

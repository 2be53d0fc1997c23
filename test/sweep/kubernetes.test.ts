// `repro sweep NAME --on kubernetes --dry-run`: an Indexed Job with one completion index per point, the points'
// run specifications in a ConfigMap, the project's image and the inner run every executor uses.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { manifestSchema } from '../../src/manifest/schema.ts';
import { findSweep } from '../../src/sweep/grid.ts';
import { kubernetesManifests, kubernetesName } from '../../src/sweep/kubernetes.ts';
import { planSweep } from '../../src/sweep/plan.ts';

const manifest = manifestSchema.parse({
  name: 'x',
  data: [{ path: 'data/games.csv', url: 'https://example.org/games.csv', sha256: 'a'.repeat(64) }],
  entrypoints: [{ notebook: 'notebooks/a.ipynb', outputs: 'results/a' }],
  sweeps: { seeds_1: { notebook: 'notebooks/a.ipynb', parameters: { model: ['tree', 'linear'] }, seeds: { from: 1, count: 3 }, metrics: { file: 'm.json', fields: ['acc'] } } },
  run: { memory: '2g', cpus: 1.5 },
});
const plan = planSweep('/p', manifest, 'seeds_1', findSweep(manifest, 'seeds_1'), { tag: 'registry.example/x:abc' });

interface Doc {
  kind: string;
  metadata: { name: string };
  data: Record<string, string>;
  spec: Record<string, unknown> & {
    completionMode: string;
    completions: number;
    parallelism: number;
    template: { spec: { restartPolicy: string; containers: Array<Record<string, unknown> & { command: string[]; volumeMounts: Array<Record<string, unknown>> }>; volumes: Array<Record<string, unknown>> } };
  };
}

function documents(parallelism: number, network?: 'bridge'): Doc[] {
  const text = kubernetesManifests(network ? { ...manifest, run: { ...manifest.run, network } } : manifest, plan.points, { sweepName: 'seeds_1', image: 'registry.example/x:abc', parallelism, claim: 'my-claim' });
  return parseAllDocuments(text).map((doc) => doc.toJS() as Doc);
}

describe('the Kubernetes Indexed Job of a sweep', () => {
  it('is a ConfigMap with each point\'s spec and id by index, an Indexed Job over them, and a deny-all NetworkPolicy', () => {
    const [configMap, job, policy] = documents(4);
    expect(kubernetesName('seeds_1')).toBe('repro-sweep-seeds-1');
    expect(configMap.kind).toBe('ConfigMap');
    expect(configMap.metadata.name).toBe('repro-sweep-seeds-1');
    expect(Object.keys(configMap.data)).toHaveLength(12);
    expect(configMap.data['0.id']).toBe('model-tree_seed-1');
    expect(configMap.data['5.id']).toBe('model-linear_seed-3');
    expect(JSON.parse(configMap.data['5.json'])).toEqual({ version: 1, runs: [plan.points[5].spec] });
    expect(JSON.parse(configMap.data['5.json']).runs[0]).toMatchObject({ parameters: { model: 'linear' }, seed: 3, image: { tag: 'registry.example/x:abc' } });

    expect(job.kind).toBe('Job');
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 6, parallelism: 4, backoffLimit: 6 });
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    const [container] = pod.containers;
    expect(container.image).toBe('registry.example/x:abc');
    expect(container.command[0]).toBe('sh');
    expect(container.command[2]).toContain('id=$(cat /specs/$JOB_COMPLETION_INDEX.id)');
    expect(container.command[2]).toContain('exec repro -C /project run --spec /sweep/$id/spec.json --result /sweep/$id/result.json');
    expect(container.securityContext).toEqual({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(container.resources).toEqual({ limits: { memory: String(2 * 1024 ** 3), cpu: '1.5' } });
    expect(container.volumeMounts).toContainEqual({ name: 'sweep', mountPath: '/project/data/games.csv', subPath: 'data/data/games.csv', readOnly: true });
    expect(pod.volumes).toContainEqual({ name: 'sweep', persistentVolumeClaim: { claimName: 'my-claim' } });
    expect(pod.volumes).toContainEqual({ name: 'specs', configMap: { name: 'repro-sweep-seeds-1' } });

    expect(policy.kind).toBe('NetworkPolicy');
    expect(policy.spec).toEqual({ podSelector: { matchLabels: { 'app.kubernetes.io/managed-by': 'repro', 'repro.dev/sweep': 'repro-sweep-seeds-1' } }, policyTypes: ['Ingress', 'Egress'] });
  });

  it('never runs more pods at once than there are points; no NetworkPolicy when research.yaml allows the network', () => {
    const docs = documents(50, 'bridge');
    expect(docs.map((doc) => doc.kind)).toEqual(['ConfigMap', 'Job']);
    expect(docs[1].spec.parallelism).toBe(6);
  });
});

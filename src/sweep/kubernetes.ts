// `repro sweep NAME --on kubernetes --dry-run`: the sweep as a Kubernetes Indexed Job. The points' run
// specifications travel in a ConfigMap (<index>.json, <index>.id); completion index i runs point i in the project's
// image with the same inner command as every other executor, writing into a PersistentVolumeClaim that also holds
// the data files. repro prints the manifests; `kubectl apply -f -` is the user's.
import { stringify } from 'yaml';
import type { Manifest } from '../manifest/schema.ts';
import type { PointPlan } from './executor.ts';

export interface KubernetesOptions {
  sweepName: string;
  image: string;
  /** Pods at once. */
  parallelism: number;
  /** The claim holding data/<path> for each data file and receiving <point id>/ for each point. */
  claim: string;
}

/** Kubernetes object names: lowercase alphanumerics and '-', at most 63 characters. */
export function kubernetesName(sweepName: string): string {
  return `repro-sweep-${sweepName}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 63).replace(/-+$/, '');
}

/** The ConfigMap, the Job (and, with run.network none, a NetworkPolicy denying all traffic), as one YAML stream. */
export function kubernetesManifests(manifest: Manifest, points: readonly PointPlan[], options: KubernetesOptions): string {
  const name = kubernetesName(options.sweepName);
  const labels = { 'app.kubernetes.io/managed-by': 'repro', 'repro.dev/sweep': name };
  const data: Record<string, string> = {};
  for (const point of points) {
    data[`${point.index}.json`] = JSON.stringify({ version: point.spec.version, runs: [point.spec] }, null, 1) + '\n';
    data[`${point.index}.id`] = point.id;
  }
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data };
  // The spec's paths are relative to its file: copied into the point's folder on the claim, the outputs land beside it.
  const script = [
    'set -eu',
    'id=$(cat /specs/$JOB_COMPLETION_INDEX.id)',
    'mkdir -p /sweep/$id',
    'cp /specs/$JOB_COMPLETION_INDEX.json /sweep/$id/spec.json',
    'exec repro -C /project run --spec /sweep/$id/spec.json --result /sweep/$id/result.json',
  ].join('\n');
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels },
    spec: {
      completionMode: 'Indexed',
      completions: points.length,
      parallelism: Math.max(1, Math.min(options.parallelism, points.length)),
      // A failed point is recorded in its result.json (and re-run with --resume), not retried blindly.
      backoffLimit: points.length,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 },
          automountServiceAccountToken: false,
          containers: [
            {
              name: 'point',
              image: options.image,
              command: ['sh', '-c', script],
              workingDir: '/project',
              env: [{ name: 'HOME', value: '/tmp/home' }],
              resources: { limits: { memory: String(manifest.run.memory), cpu: String(manifest.run.cpus) } },
              securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              volumeMounts: [
                { name: 'specs', mountPath: '/specs', readOnly: true },
                { name: 'sweep', mountPath: '/sweep' },
                { name: 'tmp', mountPath: '/tmp' },
                ...manifest.data.map((file) => ({ name: 'sweep', mountPath: `/project/${file.path}`, subPath: `data/${file.path}`, readOnly: true })),
              ],
            },
          ],
          volumes: [
            { name: 'specs', configMap: { name } },
            { name: 'sweep', persistentVolumeClaim: { claimName: options.claim } },
            { name: 'tmp', emptyDir: { sizeLimit: '2Gi' } },
          ],
        },
      },
    },
  };
  const documents: object[] = [configMap, job];
  if (manifest.run.network === 'none') {
    documents.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, labels },
      // No rules: the points' pods get no traffic in or out, as `repro run` gives its containers no network.
      spec: { podSelector: { matchLabels: labels }, policyTypes: ['Ingress', 'Egress'] },
    });
  }
  return documents.map((document) => stringify(document, { lineWidth: 0 })).join('---\n');
}

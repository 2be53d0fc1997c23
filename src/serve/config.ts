// A service's run-time configuration: the plain JSON a service process (local child or container) starts from,
// made from research.yaml's entry, and turned into a ServiceDefinition by loading its model.
import { isAbsolute, resolve } from 'node:path';
import type { Service } from '../manifest/schema.ts';
import { loadPredictor, type Runtime } from '../model/load.ts';
import { ModelError } from '../model/spec.ts';
import type { ServiceDefinition } from './app.ts';

export type ServiceConfig =
  | { name: string; kind: 'echo' }
  | { name: string; kind: 'model'; model: string; inputs: string[]; batchLimit: number; runtime?: Runtime };

/** The config for a built-in service of research.yaml (echo or model); paths stay relative to the project. */
export function serviceConfig(name: string, service: Exclude<Service, { kind: 'command' }>): ServiceConfig {
  if (service.kind === 'echo') return { name, kind: 'echo' };
  return { name, kind: 'model', model: service.model, inputs: [...service.inputs], batchLimit: service.batchLimit };
}

/** Loads the model (relative paths from `baseDir`) and checks research.yaml's inputs against it. */
export async function loadService(config: ServiceConfig, baseDir: string): Promise<ServiceDefinition> {
  if (config.kind === 'echo') return { kind: 'echo', name: config.name };
  const path = isAbsolute(config.model) ? config.model : resolve(baseDir, config.model);
  const predictor = await loadPredictor(path, config.runtime ?? runtimeFromEnvironment());
  if (predictor.inputs !== config.inputs.length) {
    throw new ModelError(
      `service ${config.name}: research.yaml names ${config.inputs.length} inputs (${config.inputs.join(', ')}) but ${config.model} takes ${predictor.inputs}`,
      { hint: 'List one input name per model input, in the model\'s order.' },
    );
  }
  return { kind: 'model', name: config.name, predictor, inputs: config.inputs, batchLimit: config.batchLimit };
}

/** REPRO_MODEL_RUNTIME=tfjs forces tfjs (for comparisons); the default picks the fastest correct runtime. */
function runtimeFromEnvironment(): Runtime {
  const value = process.env.REPRO_MODEL_RUNTIME;
  return value === 'tfjs' || value === 'dense' ? value : 'auto';
}

// What every command starts from: the project root (global -C/--project), the global --quiet, and the
// loaded research.yaml. Commands call loadProject(command) in their action instead of reading options.
import path from 'node:path';
import type { Command } from 'commander';
import { loadManifest, type LoadedManifest } from '../manifest/load.ts';
import type { Manifest } from '../manifest/schema.ts';

export interface GlobalOptions {
  /** Absolute path of the project folder (the one holding research.yaml). */
  root: string;
  /** -q/--quiet: print only errors and the final summary. */
  quiet: boolean;
}

export interface Project extends GlobalOptions {
  loaded: LoadedManifest;
  manifest: Manifest;
}

/** The global options as seen from any (sub)command; works for options given before or after the command name. */
export function globalOptions(command: Command): GlobalOptions {
  const options = command.optsWithGlobals<{ project?: string; quiet?: boolean }>();
  return { root: path.resolve(options.project ?? '.'), quiet: Boolean(options.quiet) };
}

/** The project root and its validated research.yaml; throws ManifestError (exit 2) when it is missing or wrong. */
export async function loadProject(command: Command): Promise<Project> {
  const globals = globalOptions(command);
  const loaded = await loadManifest(globals.root);
  return { ...globals, loaded, manifest: loaded.manifest };
}

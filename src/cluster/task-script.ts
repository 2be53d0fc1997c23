// The batch script of a sweep's job array, rendered as text (pure). Each array task runs one point on its node:
// it loads the project's image from the shared `docker save` archive when the node's engine lacks it (once per
// node, under a lock), runs the point's container, which reads spec.json and writes result.json and out/ in the
// point's shared folder, and records Slurm's accounting for the point beside them in slurm.json.

/** Stands for the task's point folder inside containerArgv (e.g. in `--volume @POINT_DIR@:/out:rw`). */
export const pointDirMarker = '@POINT_DIR@';

/** The file each task writes beside its point's result. */
export const accountingFile = 'slurm.json';

export interface TaskScriptInput {
  /** The sweep's name, for the header and messages. */
  sweep: string;
  /** sha256:… id of the image; the container runs it by id, so a moved tag never changes what runs. */
  imageId: string;
  /** `docker save` archive of the image in the shared folder (absolute). */
  imageArchive: string;
  /** Array task id → the point's id and folder (absolute, shared). */
  points: ReadonlyArray<{ index: number; id: string; dir: string }>;
  /**
   * The container command line (`docker run --rm …` or `podman run --rm …`, from containerCommandLine), with
   * pointDirMarker where the point's folder goes. Its first word is the engine the nodes should use;
   * a node without it uses the other of docker and podman.
   */
  containerArgv: readonly string[];
}

/** Quotes a word for bash: single quotes, with the marker turned into the task's "$point_dir". */
export function shellWord(word: string): string {
  return word
    .split(pointDirMarker)
    .map((part) => (part === '' ? '' : /^[\w@%+=:,./-]+$/.test(part) ? part : `'${part.replaceAll("'", `'\\''`)}'`))
    .join('"$point_dir"');
}

export function renderTaskScript(input: TaskScriptInput): string {
  const [runtime, verb, ...rest] = input.containerArgv;
  if (!runtime || verb !== 'run') throw new Error(`renderTaskScript: containerArgv must start with '<engine> run' (got ${input.containerArgv.slice(0, 2).join(' ')})`);
  if (!/^[\w.-]+$/.test(runtime)) throw new Error(`renderTaskScript: engine '${runtime}' is not a plain command name`);
  if (!/^sha256:[0-9a-f]{64}$/.test(input.imageId)) throw new Error(`renderTaskScript: '${input.imageId}' is not an image id (sha256:…)`);
  const points = [...input.points].sort((a, b) => a.index - b.index);
  const cases = points.map((point) => `  ${point.index}) point_id=${shellWord(point.id)}; point_dir=${shellWord(point.dir)} ;;`);
  if (!input.containerArgv.includes(input.imageId)) throw new Error('renderTaskScript: containerArgv must run the image by its id');
  // One option with its value per line, then the image and its command.
  const lines = ['"$engine" run --name "$container"'];
  const image = rest.indexOf(input.imageId);
  for (const [i, word] of rest.entries()) {
    if (i === image || (i < image && word.startsWith('-'))) lines.push(shellWord(word));
    else lines[lines.length - 1] += ` ${shellWord(word)}`;
  }
  return `#!/bin/bash
# repro sweep ${input.sweep}: one Slurm array task runs one point in the project's image. Written by repro.
set -uo pipefail

task="\${SLURM_ARRAY_TASK_ID:?this script is run by sbatch --array}"
case "$task" in
${cases.join('\n')}
  *) echo "repro: array task $task is not a point of sweep ${input.sweep}" >&2; exit 2 ;;
esac

image=${shellWord(input.imageId)}
archive=${shellWord(input.imageArchive)}
node="\${SLURMD_NODENAME:-$(hostname -s)}"
container="repro-sweep-\${SLURM_ARRAY_JOB_ID:-0}-$task"
started="$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)"
loaded=false


# Slurm's accounting for this point, beside its result (renamed into place: never half a file).
record() {
  printf '{"jobId":"%s","arrayJobId":"%s","arrayTaskId":"%s","point":"%s","node":"%s","exitCode":%d,"startedAt":"%s","endedAt":"%s","imageLoaded":%s}\\n' \\
    "\${SLURM_JOB_ID:-}" "\${SLURM_ARRAY_JOB_ID:-}" "$task" "$point_id" "$node" "$1" "$started" "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "$loaded" \\
    >"$point_dir/${accountingFile}.partial" && mv -f "$point_dir/${accountingFile}.partial" "$point_dir/${accountingFile}"
}

echo "repro: point $point_id (array task $task) on $node"
rm -f "$point_dir/result.json" "$point_dir/${accountingFile}"

# The node's engine: ${runtime} if it has it, else the other of docker and podman (they take the same options).
engine=${runtime}
if ! command -v "$engine" >/dev/null 2>&1; then
  for other in docker podman; do command -v "$other" >/dev/null 2>&1 && engine="$other" && break; done
fi
if ! command -v "$engine" >/dev/null 2>&1; then
  echo "repro: node $node has neither docker nor podman on PATH" >&2
  record 3
  exit 3
fi

# The image, from the shared archive when this node's engine lacks it: one task per node loads, the others wait.
if ! "$engine" image inspect "$image" >/dev/null 2>&1; then
  exec 9>"\${TMPDIR:-/tmp}/repro-image-\${image#sha256:}.lock"
  flock 9
  if ! "$engine" image inspect "$image" >/dev/null 2>&1; then
    echo "repro: loading $image on $node from $archive"
    if ! "$engine" load -i "$archive"; then
      echo "repro: could not load $archive into $engine on $node" >&2
      record 3
      exit 3
    fi
    loaded=true
  fi
  flock -u 9
  exec 9>&-
fi

# scancel (and Ctrl-C in repro) sends TERM: the container goes with the task, and the point says so.
stop() {
  "$engine" rm -f "$container" >/dev/null 2>&1
  record 143
  exit 143
}
trap stop TERM INT

${lines.join(' \\\n  ')} &
wait $!
code=$?
record "$code"
exit "$code"
`;
}

// research.lock's shape: what research.yaml resolved to. Validated on read so a hand-edited lock fails clearly.
import { z } from 'zod';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/);

export const lockSchema = z.strictObject({
  /** Version of the lock format. */
  lockVersion: z.literal(2, { error: 'is from an older repro (lock format 1; this repro writes 2)' }),
  /** The repro that wrote the lock. */
  toolkitVersion: z.string(),
  /** repro itself in the image, at /opt/repro: its bundled CLI and the npm lockfile of its run-time dependencies. */
  toolkit: z.strictObject({
    /** sha256 over the bundle's files (path and content, in path order). */
    bundle: sha256Hex,
    /** sha256 of toolkit/package-lock.json: tslab (the TypeScript and JavaScript kernels), zeromq, resvg. */
    dependencies: sha256Hex,
  }),
  /** sha256 of the canonical manifest (LoadedManifest.hash) the lock was made from. */
  manifestHash: sha256Hex,
  /** Seconds since 1970: when the Debian packages were resolved; stamped on files and exported to the build. */
  sourceDateEpoch: z.number().int().nonnegative(),
  base: z.strictObject({
    ref: z.string(),
    /** The image the lock was made against (informational across machines: a re-bootstrap gets a new id). */
    imageId: digest,
    /** Digest of the base's installed Debian packages: what must match for the lock to hold. */
    packages: digest,
  }),
  node: z.strictObject({
    version: z.string(),
    /** npm package holding the official Linux x64 binary. */
    package: z.string(),
    /** sha256 of that package's tarball. */
    sha256: sha256Hex,
  }),
  npm: z.strictObject({ version: z.string(), sha256: sha256Hex }),
  /** Every Debian package the image installs on top of the base, name → exact version (dependencies included). */
  apt: z.record(z.string(), z.string()),
  /** The project's own npm lockfile, when research.yaml names one. */
  lockfile: z.strictObject({ path: z.string(), sha256: sha256Hex }).optional(),
  data: z.array(z.strictObject({ path: z.string(), sha256: sha256Hex })),
});

export type Lock = z.output<typeof lockSchema>;

export const lockFileName = 'research.lock';

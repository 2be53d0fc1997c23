// What a Debian file system has installed, as a canonical list and digest: two bootstraps of the same packages
// get different image ids (timestamps) but the same digest, so a lock stays valid on a fresh machine.
import { createHash } from 'node:crypto';

export interface InstalledPackage {
  name: string;
  arch: string;
  version: string;
}

/** Parse /var/lib/dpkg/status, keeping packages whose status is "install ok installed". */
export function parseDpkgStatus(text: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  for (const stanza of text.split(/\n\n+/)) {
    const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(stanza)?.[1]?.trim();
    const name = field('Package');
    const version = field('Version');
    if (!name || !version || field('Status') !== 'install ok installed') continue;
    packages.push({ name, arch: field('Architecture') ?? 'all', version });
  }
  return packages;
}

/** `dpkg-query -W -f '${Package} ${Architecture} ${Version}\n'` output, parsed. */
export function parseDpkgQuery(text: string): InstalledPackage[] {
  return text
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((words) => words.length === 3)
    .map(([name, arch, version]) => ({ name, arch, version }));
}

export const dpkgQueryFormat = '${Package} ${Architecture} ${Version}\\n';

/** sha256 over "name arch version" lines in name order: the identity of a base image's contents. */
export function packageListDigest(packages: InstalledPackage[]): string {
  const lines = packages
    .map((p) => `${p.name} ${p.arch} ${p.version}`)
    .sort()
    .join('\n');
  return 'sha256:' + createHash('sha256').update(lines + '\n').digest('hex');
}

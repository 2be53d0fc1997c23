// The Debian packages of an image as a pack carries them: two small archives laid out as a Debian mirror (dists/ and
// pool/), one for the base debootstrap installs and one for the packages the Dockerfile's apt-get adds. Their
// indexes are written here from the image's own dpkg database (the control fields dpkg copied from each .deb) and
// the files' sizes and sha256s, so neither packing nor rebuilding needs Debian's tools or mirror. Pure.
import { createHash } from 'node:crypto';
import type { InstalledPackage } from '../engine/index.ts';

/** One package's control fields, in their order; a multi-line value keeps its continuation lines. */
export interface ControlStanza {
  fields: [string, string][];
}

/** A package of the image: what dpkg recorded for it, and its identity. */
export interface StatusPackage extends InstalledPackage {
  stanza: ControlStanza;
}

/** The .deb file of a package in a repository's pool. */
export interface PoolFile {
  package: StatusPackage;
  size: number;
  sha256: string;
}

/** Parses deb822 control text (dpkg's status file, a Packages index) into stanzas. */
export function parseControl(text: string): ControlStanza[] {
  const stanzas: ControlStanza[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const fields: [string, string][] = [];
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      if (/^[ \t]/.test(line)) {
        const last = fields.at(-1);
        if (last) last[1] += `\n${line}`;
        continue;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      fields.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
    }
    if (fields.length > 0) stanzas.push({ fields });
  }
  return stanzas;
}

export function field(stanza: ControlStanza, name: string): string | undefined {
  const lower = name.toLowerCase();
  return stanza.fields.find(([key]) => key.toLowerCase() === lower)?.[1];
}

/** The installed packages of a dpkg status file ("install ok installed"), with their stanzas, in name order. */
export function installedPackages(statusText: string): StatusPackage[] {
  return parseControl(statusText)
    .filter((stanza) => field(stanza, 'Status') === 'install ok installed')
    .map((stanza) => ({ name: field(stanza, 'Package') ?? '', arch: field(stanza, 'Architecture') ?? 'all', version: field(stanza, 'Version') ?? '', stanza }))
    .filter((p) => p.name !== '' && p.version !== '')
    .sort((a, b) => compareText(packageKey(a), packageKey(b)));
}

/** `name arch version`: one package build, as the base's package digest lists them. */
export function packageKey(p: InstalledPackage): string {
  return `${p.name} ${p.arch} ${p.version}`;
}

/** Debian's file name for a package build (an epoch's colon written %3a, as apt and debootstrap name them). */
export function debFileName(p: InstalledPackage): string {
  return `${p.name}_${p.version.replace(/:/g, '%3a')}_${p.arch}.deb`;
}

/** What apt-get download takes for exactly this build: name[:arch]=version. */
export function downloadSpec(p: InstalledPackage): string {
  return `${p.arch === 'all' ? p.name : `${p.name}:${p.arch}`}=${p.version}`;
}

/** dpkg's bookkeeping, not part of a package's control data. */
const statusOnlyFields = new Set(['status', 'conffiles', 'config-version']);

/** A Packages stanza for a pool file: the control fields dpkg recorded, then where the file is and its digest. */
export function packagesStanza(file: PoolFile): string {
  const lines = file.package.stanza.fields.filter(([key]) => !statusOnlyFields.has(key.toLowerCase())).map(([key, value]) => `${key}: ${value}`);
  lines.push(`Filename: ${poolPath(file.package)}`, `Size: ${file.size}`, `SHA256: ${file.sha256}`);
  return lines.join('\n') + '\n';
}

export function poolPath(p: InstalledPackage): string {
  return `pool/${debFileName(p)}`;
}

export interface MirrorIndex {
  /** dists/<suite>/main/binary-<arch>/Packages */
  packagesPath: string;
  packages: Buffer;
  /** dists/<suite>/Release */
  releasePath: string;
  release: Buffer;
}

/**
 * The index of a one-component mirror holding `files`: Packages (stanzas in name order) and an unsigned Release
 * naming it with its size and sha256, dated `epoch` (seconds), so the same packages give the same bytes.
 */
export function mirrorIndex(files: PoolFile[], options: { suite: string; arch: string; epoch: number }): MirrorIndex {
  const sorted = [...files].sort((a, b) => compareText(packageKey(a.package), packageKey(b.package)));
  // Every stanza ends with a blank line: debootstrap's reader misses a last one that does not.
  const packages = Buffer.from(sorted.map((file) => packagesStanza(file) + '\n').join(''));
  const relative = `main/binary-${options.arch}/Packages`;
  const release = [
    `Origin: repro pack`,
    `Suite: ${options.suite}`,
    `Codename: ${options.suite}`,
    `Date: ${new Date(options.epoch * 1000).toUTCString()}`,
    `Architectures: ${options.arch}`,
    `Components: main`,
    `SHA256:`,
    ` ${createHash('sha256').update(packages).digest('hex')} ${packages.length} ${relative}`,
  ].join('\n');
  return {
    packagesPath: `dists/${options.suite}/${relative}`,
    packages,
    releasePath: `dists/${options.suite}/Release`,
    release: Buffer.from(release + '\n'),
  };
}

/**
 * apt's configuration for installing from a pack's mirror at `dir` in the image: that mirror as the only source
 * (trusted: every file was checked against pack.json before the build), no translations.
 */
export function aptSourceFiles(dir: string, suite: string): { 'apt.conf': string; 'sources.list': string } {
  return {
    'apt.conf': [`Dir::Etc::SourceList "${dir}/sources.list";`, `Dir::Etc::SourceParts "${dir}/sources.list.d";`, 'Acquire::Languages "none";', ''].join('\n'),
    'sources.list': `deb [trusted=yes] file:${dir}/mirror ${suite} main\n`,
  };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

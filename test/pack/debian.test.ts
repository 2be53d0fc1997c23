// The packed Debian mirrors' indexes, written from dpkg's status stanzas: the bytes apt and debootstrap read.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/errors.ts';
import { aptSourceFiles, debFileName, downloadSpec, installedPackages, mirrorIndex, packagesStanza, parseControl } from '../../src/pack/debian.ts';
import { assertPinned } from '../../src/pack/inputs.ts';

const status = `Package: zlib1g
Status: install ok installed
Priority: optional
Architecture: amd64
Multi-Arch: same
Source: zlib
Version: 1:1.2.13.dfsg-1
Depends: libc6 (>= 2.14)
Description: compression library - runtime
 zlib is a library implementing the deflate compression method found
 in gzip and PKZIP.

Package: removed-one
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0

Package: base-files
Essential: yes
Status: install ok installed
Priority: required
Architecture: amd64
Version: 12.4+deb12u15
Conffiles:
 /etc/debian_version 6d2a5f5bd9ca1e0e8e6a8dd1f4a1aa39
 /etc/issue 3b1b7d6c1f0a9a8c7d8b9f4e9b3c2a10
Description: Debian base system miscellaneous files
`;

describe('installedPackages', () => {
  it('keeps installed packages only, in name order, with their stanzas (continuation lines kept)', () => {
    const packages = installedPackages(status);
    expect(packages.map((p) => `${p.name} ${p.arch} ${p.version}`)).toEqual(['base-files amd64 12.4+deb12u15', 'zlib1g amd64 1:1.2.13.dfsg-1']);
    expect(packages[1].stanza.fields.find(([key]) => key === 'Description')?.[1]).toBe(
      'compression library - runtime\n zlib is a library implementing the deflate compression method found\n in gzip and PKZIP.',
    );
  });
});

describe('package file names and download specs', () => {
  it('write an epoch\'s colon as %3a and qualify a build by its architecture unless it is for all', () => {
    expect(debFileName({ name: 'zlib1g', arch: 'amd64', version: '1:1.2.13.dfsg-1' })).toBe('zlib1g_1%3a1.2.13.dfsg-1_amd64.deb');
    expect(downloadSpec({ name: 'zlib1g', arch: 'amd64', version: '1:1.2.13.dfsg-1' })).toBe('zlib1g:amd64=1:1.2.13.dfsg-1');
    expect(downloadSpec({ name: 'fonts-dejavu-core', arch: 'all', version: '2.37-6' })).toBe('fonts-dejavu-core=2.37-6');
  });
});

describe('mirrorIndex', () => {
  const [baseFiles, zlib] = installedPackages(status);
  const pool = [
    { package: zlib, size: 91, sha256: 'a'.repeat(64) },
    { package: baseFiles, size: 70936, sha256: 'b'.repeat(64) },
  ];

  it('writes a Packages stanza per file: the control fields without dpkg\'s bookkeeping, then Filename, Size and SHA256', () => {
    expect(packagesStanza(pool[1])).toBe(
      [
        'Package: base-files',
        'Essential: yes',
        'Priority: required',
        'Architecture: amd64',
        'Version: 12.4+deb12u15',
        'Description: Debian base system miscellaneous files',
        'Filename: pool/base-files_12.4+deb12u15_amd64.deb',
        'Size: 70936',
        `SHA256: ${'b'.repeat(64)}`,
        '',
      ].join('\n'),
    );
  });

  it('sorts the stanzas, ends each with a blank line, and names the Packages file in an unsigned Release with its size and sha256', () => {
    const index = mirrorIndex(pool, { suite: 'bookworm', arch: 'amd64', epoch: 1795910400 });
    expect(index.packagesPath).toBe('dists/bookworm/main/binary-amd64/Packages');
    expect(index.releasePath).toBe('dists/bookworm/Release');
    const text = index.packages.toString('utf8');
    expect(text.startsWith('Package: base-files\n')).toBe(true);
    expect(text.endsWith(`SHA256: ${'a'.repeat(64)}\n\n`)).toBe(true);
    expect(parseControl(text).map((stanza) => stanza.fields[0][1])).toEqual(['base-files', 'zlib1g']);
    const sha = createHash('sha256').update(index.packages).digest('hex');
    expect(index.release.toString('utf8')).toBe(
      [
        'Origin: repro pack',
        'Suite: bookworm',
        'Codename: bookworm',
        'Date: Sun, 29 Nov 2026 00:00:00 GMT',
        'Architectures: amd64',
        'Components: main',
        'SHA256:',
        ` ${sha} ${index.packages.length} main/binary-amd64/Packages`,
        '',
      ].join('\n'),
    );
  });

  it('gives the same bytes for the same packages in any order', () => {
    const one = mirrorIndex(pool, { suite: 'bookworm', arch: 'amd64', epoch: 0 });
    const two = mirrorIndex([...pool].reverse(), { suite: 'bookworm', arch: 'amd64', epoch: 0 });
    expect(two.packages.equals(one.packages) && two.release.equals(one.release)).toBe(true);
  });
});

describe('aptSourceFiles', () => {
  it('make the packed mirror apt\'s only source, trusted (pack.json checked every file), without translations', () => {
    expect(aptSourceFiles('/tmp/apt', 'bookworm')).toEqual({
      'apt.conf': 'Dir::Etc::SourceList "/tmp/apt/sources.list";\nDir::Etc::SourceParts "/tmp/apt/sources.list.d";\nAcquire::Languages "none";\n',
      'sources.list': 'deb [trusted=yes] file:/tmp/apt/mirror bookworm main\n',
    });
  });
});

describe('assertPinned', () => {
  const [baseFiles, zlib] = installedPackages(status);

  it('accepts the packages apt added when they are exactly research.lock\'s pins', () => {
    expect(() => assertPinned([zlib], { zlib1g: '1:1.2.13.dfsg-1' }, 'repro/x:1')).not.toThrow();
  });

  it('names every disagreement: another version, a pin not installed, a package not pinned', () => {
    const error = (() => {
      try {
        assertPinned([zlib, baseFiles], { zlib1g: '1:1.2.13.dfsg-2', 'fonts-dejavu-core': '2.37-6' }, 'repro/x:1');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).message).toBe(
      "the Debian packages of repro/x:1 are not research.lock's: fonts-dejavu-core 2.37-6 is not installed; zlib1g is 1:1.2.13.dfsg-1, research.lock pins 1:1.2.13.dfsg-2; base-files 12.4+deb12u15 is installed but not in research.lock",
    );
    expect((error as EngineError).exitCode).toBe(3);
  });
});

// Run by the image build after `npm ci`: trims a node_modules folder to what Node can load on this machine.
//   node prune.cjs DIR                    deletes source maps, documentation (*.md), TypeScript build caches and
//                                         native builds for other platforms (another OS, CPU or C library)
//   node prune.cjs DIR --link-from OTHER  also replaces each package OTHER holds byte for byte (with the same
//                                         packages for everything it depends on) by a link to OTHER's copy
// Deterministic: the same trees give the same result. Prints one summary line.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const platforms = new Set(['aix', 'android', 'darwin', 'freebsd', 'linux', 'netbsd', 'openbsd', 'sunos', 'win32']);
const arches = new Set(['arm', 'arm64', 'ia32', 'loong64', 'mips', 'mipsel', 'ppc', 'ppc64', 'riscv64', 's390', 's390x', 'x64']);
// Only a source map next to code: a data file that happens to end in .map stays.
const sourceMap = /\.(js|mjs|cjs|jsx|ts|mts|cts|tsx|css)\.map$/;
/** Never loaded by Node: a source map, Markdown, a TypeScript build cache. */
const unloaded = (name) => sourceMap.test(name) || /\.(md|markdown)$/i.test(name) || name.endsWith('.tsbuildinfo');
// A glibc system cannot load a build for musl, nor a musl system one for glibc.
const glibc = Boolean(process.report?.getReport().header.glibcVersionRuntime);
const otherLibc = glibc ? 'musl' : 'glibc';

/** A native build folder for another OS or CPU: prebuilds/<os>-<arch>* (prebuildify), build/<os>/<arch> (cmake-ts). */
function foreignBuild(dir, name) {
  const parent = path.basename(dir);
  if (parent === 'prebuilds') {
    const [os, arch] = name.split('-');
    return platforms.has(os) && (os !== process.platform || (arches.has(arch) && arch !== process.arch));
  }
  if (parent === 'build' && platforms.has(name)) return name !== process.platform;
  if (path.basename(path.dirname(dir)) === 'build' && parent === process.platform && arches.has(name)) return name !== process.arch;
  // cmake-ts: build/<os>/<arch>/<runtime>/<libc>-<abi>-<config>
  const up = dir.split(path.sep).slice(-4);
  if (up[0] === 'build' && platforms.has(up[1]) && arches.has(up[2])) return name.startsWith(`${otherLibc}-`);
  return false;
}

function trim(dir, counts) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (foreignBuild(dir, entry.name)) {
        counts.bytes += size(full);
        fs.rmSync(full, { recursive: true, force: true });
        counts.builds++;
      } else trim(full, counts);
    } else if (entry.isFile() && (unloaded(entry.name) || (path.basename(dir).startsWith(`${process.platform}-`) && entry.name.includes(`.${otherLibc}.`)))) {
      counts.bytes += fs.statSync(full).size;
      fs.rmSync(full);
      counts.files++;
    }
  }
}

function size(target) {
  const info = fs.lstatSync(target);
  if (!info.isDirectory()) return info.size;
  return fs.readdirSync(target).reduce((sum, name) => sum + size(path.join(target, name)), 0);
}

/** Top-level package folders: name and @scope/name, sorted; links (workspaces, file: deps) are left alone. */
function packages(root) {
  const names = [];
  const dirs = (dir) => fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  if (!fs.existsSync(root)) return names;
  for (const name of dirs(root)) {
    if (name.startsWith('@')) for (const inner of dirs(path.join(root, name))) names.push(`${name}/${inner}`);
    else names.push(name);
  }
  return names;
}

/** sha256 over every path, kind, executable bit, link target and content under dir, in sorted order. */
function treeHash(dir) {
  const hash = crypto.createHash('sha256');
  const walk = (rel) => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const info = fs.lstatSync(path.join(dir, r));
      if (info.isSymbolicLink()) hash.update(`l ${r} ${fs.readlinkSync(path.join(dir, r))}\n`);
      else if (info.isDirectory()) {
        hash.update(`d ${r}\n`);
        walk(r);
      } else hash.update(`f ${r} ${info.mode & 0o111 ? 'x' : '-'} ${crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, r))).digest('hex')}\n`);
    }
  };
  walk('');
  return hash.digest('hex');
}

/** Every dependency name any package.json inside the package declares (its nested packages' too). */
function dependencyNames(dir) {
  const names = new Set();
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(d, entry.name));
      else if (entry.name === 'package.json' && entry.isFile()) {
        let json;
        try {
          json = JSON.parse(fs.readFileSync(path.join(d, entry.name), 'utf8'));
        } catch {
          continue;
        }
        for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) for (const name of Object.keys(json[field] ?? {})) names.add(name);
      }
    }
  };
  walk(dir);
  return names;
}

/**
 * The packages of root that other holds identically and whose dependencies (found at the top level of either tree)
 * are linked too: the largest such set, so a linked package resolves every import to the same bytes as before.
 */
function linkable(root, other) {
  const candidates = new Map();
  for (const name of packages(root)) {
    const there = path.join(other, name);
    if (!fs.existsSync(there) || !fs.lstatSync(there).isDirectory()) continue;
    if (treeHash(path.join(root, name)) === treeHash(there)) candidates.set(name, [...dependencyNames(path.join(root, name))]);
  }
  const topLevel = (name) => fs.existsSync(path.join(root, name)) || fs.existsSync(path.join(other, name));
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, deps] of candidates) {
      if (deps.some((dep) => topLevel(dep) && !candidates.has(dep))) {
        candidates.delete(name);
        changed = true;
      }
    }
  }
  return [...candidates.keys()].sort();
}

function main(argv) {
  const [dir, flag, other] = argv;
  if (!dir || (flag !== undefined && (flag !== '--link-from' || !other))) {
    process.stderr.write('usage: node prune.cjs NODE_MODULES [--link-from OTHER_NODE_MODULES]\n');
    process.exit(2);
  }
  if (!fs.existsSync(dir)) return;
  const counts = { files: 0, builds: 0, bytes: 0, linked: 0 };
  trim(dir, counts);
  if (other) {
    for (const name of linkable(dir, other)) {
      counts.bytes += size(path.join(dir, name));
      fs.rmSync(path.join(dir, name), { recursive: true, force: true });
      fs.symlinkSync(path.resolve(other, name), path.join(dir, name));
      counts.linked++;
    }
  }
  const mb = (counts.bytes / 1e6).toFixed(1);
  process.stdout.write(`prune ${dir}: ${counts.files} files never loaded (source maps, docs), ${counts.builds} foreign native builds, ${counts.linked} packages linked; ${mb} MB less\n`);
}

module.exports = { foreignBuild, linkable, treeHash };
if (require.main === module) main(process.argv.slice(2));

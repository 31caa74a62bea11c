// A static model of what docker/Dockerfile builds, for checks without a Docker engine (there is none
// on these machines): which user runs, which directories exist and who owns them, which programs
// are installed, which environment is set, what the entrypoint is. It reads the Dockerfile itself;
// the facts it cannot read from it (what the base image and the apt packages provide) are the
// tables below, each from the Debian/Node image documentation.
import { posix } from 'node:path';

/** node:20-bookworm-slim: the `node` user (uid 1000, home /home/node), node on PATH, a world-writable /tmp */
const baseImageFacts: Record<string, { users: Record<string, { uid: number; home: string }>; programs: Record<string, string> }> = {
  'node:20-bookworm-slim': { users: { root: { uid: 0, home: '/root' }, node: { uid: 1000, home: '/home/node' } }, programs: { node: '/usr/local/bin/node', sh: '/bin/sh' } },
};

/** programs each Debian package installs (bookworm) */
const aptPrograms: Record<string, Record<string, string>> = {
  chromium: { chromium: '/usr/bin/chromium' },
  'chromium-headless-shell': { 'chromium-headless-shell': '/usr/lib/chromium/chromium-headless-shell' },
  ffmpeg: { ffmpeg: '/usr/bin/ffmpeg', ffprobe: '/usr/bin/ffprobe' },
  tini: { tini: '/usr/bin/tini' },
};

export interface OwnedPath {
  readonly path: string;
  owner: string;
  recursive: boolean;
}

export interface ImageModel {
  readonly base: string;
  readonly user: string;
  readonly workdir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly aptPackages: readonly string[];
  /** directories made by mkdir/WORKDIR and their owner after every chown */
  readonly dirs: readonly OwnedPath[];
  /** name -> absolute path of every program the image has (base + apt) */
  readonly programs: Readonly<Record<string, string>>;
  readonly users: Readonly<Record<string, { uid: number; home: string }>>;
  /** is `path` a directory `user` may write (or create, inside one it owns)? */
  writable(path: string, user: string): boolean;
  /** does `path` exist in the image as a directory owned by `user` (what a named volume mounted there inherits)? */
  ownedDir(path: string, user: string): boolean;
}

/** instructions with their continuation lines joined, comments dropped */
function instructions(text: string): { op: string; args: string }[] {
  const joined = text.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n').replace(/\\\n/g, ' ');
  return joined.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const [op, ...rest] = l.split(/\s+/);
    return { op: op!.toUpperCase(), args: rest.join(' ') };
  });
}

function runSteps(args: string): string[][] {
  return args.split(/&&|;/).map((c) => c.trim().split(/\s+/).filter(Boolean));
}

export function parseDockerfile(text: string): ImageModel {
  let base = '';
  let user = 'root';
  let workdir = '/';
  const env: Record<string, string> = {};
  let entrypoint: string[] = [];
  let cmd: string[] = [];
  const aptPackages: string[] = [];
  const dirs: OwnedPath[] = [];
  const dir = (path: string): OwnedPath => {
    let d = dirs.find((x) => x.path === path);
    if (!d) dirs.push((d = { path, owner: 'root', recursive: false }));
    return d;
  };
  for (const { op, args } of instructions(text)) {
    if (op === 'FROM') base = args.split(/\s+/)[0]!;
    if (op === 'USER') user = args.split(':')[0]!;
    if (op === 'WORKDIR') dir((workdir = posix.resolve(workdir, args)));
    if (op === 'ENV') for (const m of args.matchAll(/([A-Z_][A-Z0-9_]*)=("[^"]*"|\S+)/g)) env[m[1]!] = m[2]!.replace(/^"|"$/g, '');
    if (op === 'ENTRYPOINT') entrypoint = JSON.parse(args) as string[];
    if (op === 'CMD') cmd = JSON.parse(args) as string[];
    if (op !== 'RUN') continue;
    for (const words of runSteps(args)) {
      const at = words.indexOf('install');
      if (words[0] === 'apt-get' && at > 0) aptPackages.push(...words.slice(at + 1).filter((w) => !w.startsWith('-')));
      if (words[0] === 'mkdir') for (const p of words.slice(1).filter((w) => !w.startsWith('-'))) dir(posix.resolve(workdir, p));
      if (words[0] === 'chown') {
        const recursive = words.includes('-R');
        const [owner, ...paths] = words.slice(1).filter((w) => !w.startsWith('-'));
        for (const p of paths) Object.assign(dir(posix.resolve(workdir, p)), { owner: owner!.split(':')[0], recursive });
      }
    }
  }
  const facts = baseImageFacts[base];
  if (!facts) throw new Error(`docker/Dockerfile: base image ${base} is not in test/helpers/dockerfile-model.ts's table of facts; add what it provides`);
  const programs: Record<string, string> = { ...facts.programs };
  for (const pkg of aptPackages) Object.assign(programs, aptPrograms[pkg] ?? {});
  const ownedDir = (path: string, u: string) => dirs.some((d) => d.path === path && d.owner === u);
  const writable = (path: string, u: string): boolean => {
    const p = posix.normalize(path);
    const home = facts.users[u]?.home;
    if (p === '/tmp' || p.startsWith('/tmp/') || (home && (p === home || p.startsWith(`${home}/`)))) return true;
    // the nearest directory the model knows, walking up: its owner decides (a recursive chown covers everything below)
    for (let q = p; ; q = posix.dirname(q)) {
      const d = dirs.find((x) => x.path === q);
      if (d && (q === p || d.recursive || d.owner === u)) return d.owner === u;
      if (q === '/') return u === 'root';
    }
  };
  return { base, user, workdir, env, entrypoint, cmd, aptPackages, dirs, programs, users: facts.users, writable, ownedDir };
}

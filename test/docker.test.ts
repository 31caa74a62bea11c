// What can be checked of docker/ without a Docker engine (there is none on these machines, so no
// image is built or run here): files parse, referenced files exist, and every container's command
// is checked against what the Dockerfile builds (test/helpers/dockerfile-model.ts): the programs it
// starts are installed, the scripts are copied in (not .dockerignored), every directory it writes
// exists and belongs to the user it runs as (or is a volume that inherits such a directory), and
// every subcommand and flag exists in the real CLI's own --help (test/helpers/cli-help.ts).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { grafanaVersionPinned } from '../dashboards/importable.ts';
import { checkArgv, cliHelp } from './helpers/cli-help.ts';
import { parseDockerfile, type ImageModel } from './helpers/dockerfile-model.ts';

const root = resolve(import.meta.dirname, '..');
const dockerDir = join(root, 'docker');
const read = (rel: string): string => readFileSync(join(dockerDir, rel), 'utf8');

type Loose = Record<string, unknown>;
const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Loose>; volumes: Record<string, unknown> };
const k8sDocs = readdirSync(join(dockerDir, 'k8s')).filter((f) => f.endsWith('.yaml')).flatMap((f) =>
  parseAllDocuments(read(join('k8s', f))).map((d) => {
    if (d.errors.length) throw new Error(`docker/k8s/${f}: ${d.errors.map((e) => e.message).join('; ')}`);
    return d.toJS() as Loose;
  }));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** a mount in a container: a named volume inherits the image directory it is mounted on; a PVC with fsGroup is the group's */
interface Mount {
  readonly target: string;
  readonly kind: 'named' | 'bind' | 'pvc-fsgroup' | 'other';
}

interface Container {
  readonly where: string;
  readonly user: string;
  readonly argv: readonly string[];
  readonly mounts: readonly Mount[];
}

/** split a shell string into words, honouring double quotes (enough for our manifests) */
function shellWords(s: string): string[] {
  return [...s.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

function isIgnored(relPath: string): boolean {
  const patterns = read('Dockerfile.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  return patterns.some((p) => relPath === p || relPath.startsWith(`${p.replace(/\/$/, '')}/`));
}

/** what a waddle-fleet or reference-waddle command line writes, read from its own flags (and --help's defaults) */
function writtenDirs(script: string, args: readonly string[], home: string): string[] {
  const value = (flag: string) => {
    const at = args.indexOf(flag);
    return at >= 0 ? args[at + 1] : args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
  };
  if (script === 'reference-waddle/cli.ts') return [value('--data-dir') ?? '/tmp'];
  const [sub, target] = args;
  // run: its run folders (--results; the CLI's default is the relative folder "results") and the media cache in $HOME
  if (sub === 'run') return [value('--results') ?? cliHelp(['run']).defaults.get('--results') ?? 'results', `${home}/.cache/waddle-fleet/media`];
  if (sub === 'dashboards' || sub === 'merge') return [value('--out') ?? '.'];
  if (sub === 'report') return [target ?? '.'];
  return [];
}

/** every problem with one container of the fleet image */
function checkContainer(image: ImageModel, c: Container): string[] {
  const problems: string[] = [];
  let words = [...c.argv];
  const program = (w: string | undefined) => (w && (w.startsWith('/') ? Object.values(image.programs).includes(w) : w in image.programs));
  if (!program(words[0])) return [`${c.where}: starts ${words[0]}, which the image does not install`];
  if (posix.basename(words[0]!) === 'tini') words = words.slice(words[1] === '--' ? 2 : 1);
  if (words[0] === 'sh' && words[1] === '-c') words = shellWords(words.slice(2).join(' ')).filter((w, i) => !(i === 0 && w === 'exec'));
  if (!program(words[0])) return [`${c.where}: runs ${words[0]}, which the image does not install`];
  if (words[0] !== 'node') return problems;
  let i = 1;
  for (; words[i]?.startsWith('-'); i += 2) {
    if (words[i] === '--import' && !(words[i + 1]! in pkg.dependencies)) problems.push(`${c.where}: node --import ${words[i + 1]}, which is not a production dependency (npm ci with NODE_ENV=production leaves devDependencies out)`);
  }
  const script = words[i]!;
  const args = words.slice(i + 1);
  if (!existsSync(join(root, script)) || isIgnored(script)) problems.push(`${c.where}: ${script} is not copied into the image (missing, or in Dockerfile.dockerignore)`);
  if (script === 'bin/waddle-fleet.mjs') problems.push(...checkArgv(c.where, args));
  else if (script === 'reference-waddle/cli.ts') problems.push(...checkArgv(c.where, args, ['--import', 'tsx', script], false));
  else problems.push(`${c.where}: runs ${script}: teach test/docker.test.ts what it writes`);
  const home = image.users[c.user]?.home ?? '/';
  for (const dir of writtenDirs(script, args, home)) {
    const abs = posix.resolve(image.workdir, dir);
    const mount = c.mounts.filter((m) => abs === m.target || abs.startsWith(`${m.target}/`)).sort((a, b) => b.target.length - a.target.length)[0];
    const ok = !mount ? image.writable(abs, c.user) : mount.kind === 'named' ? image.ownedDir(mount.target, c.user) : mount.kind === 'pvc-fsgroup';
    if (!ok) problems.push(`${c.where}: writes ${abs} as ${c.user}, but ${mount ? `the ${mount.kind} volume on ${mount.target}` : 'that path'} is not ${c.user}'s in the image (create and chown it in docker/Dockerfile)`);
  }
  return problems;
}

function composeContainers(image: ImageModel, services = compose.services): Container[] {
  const out: Container[] = [];
  for (const [name, s] of Object.entries(services)) {
    if (!s.build) continue; // images we do not build (influxdb, grafana) are not ours to check
    const mounts = ((s.volumes as string[] | undefined) ?? []).map((v) => {
      const [source, target] = v.split(':') as [string, string];
      return { target, kind: source.startsWith('.') || source.startsWith('/') ? ('bind' as const) : ('named' as const) };
    });
    const argv = [...((s.entrypoint as string[] | undefined) ?? image.entrypoint), ...((s.command as string[] | undefined) ?? image.cmd)];
    out.push({ where: `compose ${name}`, user: (s.user as string | undefined) ?? image.user, argv, mounts });
  }
  return out;
}

function k8sContainers(image: ImageModel): Container[] {
  const out: Container[] = [];
  for (const doc of k8sDocs.filter((d) => d.kind === 'Job')) {
    const spec = ((doc.spec as Loose).template as Loose).spec as Loose;
    const security = (spec.securityContext ?? {}) as { runAsUser?: number; fsGroup?: number };
    const user = Object.entries(image.users).find(([, u]) => u.uid === security.runAsUser)?.[0] ?? image.user;
    const volumes = Object.fromEntries(((spec.volumes as Loose[]) ?? []).map((v) => [v.name as string, v]));
    for (const c of spec.containers as Loose[]) {
      const mounts = ((c.volumeMounts as Loose[]) ?? []).map((m) => {
        const pvc = volumes[m.name as string]?.persistentVolumeClaim !== undefined;
        return { target: m.mountPath as string, kind: pvc && security.fsGroup === image.users[user]?.uid ? ('pvc-fsgroup' as const) : ('other' as const) };
      });
      const argv = [...((c.command as string[]) ?? image.entrypoint), ...((c.args as string[]) ?? image.cmd)];
      out.push({ where: `k8s Job ${String((doc.metadata as Loose).name)}/${String(c.name)}`, user, argv, mounts });
    }
  }
  return out;
}

/** WADDLE_FLEET_* variables that a file here sets but no code reads yet, each waiting on a named change */
const pendingEnv: Record<string, string> = {};

/** source files the fleet runs (not tests, not docker/) */
function runtimeSources(dir = root, rel = ''): string[] {
  const skip = new Set(['node_modules', '.git', 'docker', 'test', 'results', 'bench', 'docs']);
  return readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) return skip.has(e.name) ? [] : runtimeSources(dir, path);
    return /\.(ts|mjs)$/.test(e.name) && !/\.(test|config)\.ts$/.test(e.name) && !path.includes('/testing/') ? [path] : [];
  });
}

const image = parseDockerfile(read('Dockerfile'));

describe('docker/ without a Docker engine (static checks only; no image is built or run here)', () => {
  it('the Dockerfile: Debian slim Node 20, chromium-headless-shell + ffmpeg + fonts, tini as init, npm ci, non-root', () => {
    expect(image.base).toBe('node:20-bookworm-slim');
    for (const p of ['chromium-headless-shell', 'ffmpeg', 'tini', 'fonts-dejavu-core']) expect(image.aptPackages).toContain(p);
    expect(read('Dockerfile')).toContain('npm ci');
    expect(image.user).toBe('node');
    expect(image.entrypoint).toEqual(['/usr/bin/tini', '--', 'node', 'bin/waddle-fleet.mjs']);
    for (const copied of ['package.json', 'package-lock.json', 'bin/waddle-fleet.mjs']) expect(existsSync(join(root, copied)), copied).toBe(true);
  });

  it('every container of the fleet image (compose services, the Kubernetes Job) runs installed programs, copied scripts and real flags, and writes only where its user may', () => {
    const containers = [...composeContainers(image), ...k8sContainers(image)];
    expect(containers.map((c) => c.where).sort()).toEqual(['compose dashboards', 'compose waddle', 'compose worker-1', 'compose worker-2', 'k8s Job waddle-fleet-stress/worker']);
    expect(containers.flatMap((c) => checkContainer(image, c))).toEqual([]);
  }, 60_000);

  it('the check fails on what it guards against (the /dashboards bug, a missing program, a wrong flag, an ignored script)', () => {
    const before = parseDockerfile(read('Dockerfile').replace(/mkdir -p \/results \/dashboards && chown -R node:node \/results \/dashboards \/app/, 'mkdir -p /results && chown -R node:node /results /app'));
    expect(composeContainers(before).flatMap((c) => checkContainer(before, c))).toEqual([
      "compose dashboards: writes /dashboards as node, but the named volume on /dashboards is not node's in the image (create and chown it in docker/Dockerfile)",
    ]);
    const c = composeContainers(image).find((x) => x.where === 'compose worker-1')!;
    expect(checkContainer(image, { ...c, argv: ['/usr/bin/dumb-init', ...c.argv.slice(1)] })).toEqual(['compose worker-1: starts /usr/bin/dumb-init, which the image does not install']);
    expect(checkContainer(image, { ...c, argv: [...c.argv, '--shardz', '1/2'] })).toEqual(["compose worker-1: 'run' has no flag --shardz"]);
    expect(checkContainer(image, { ...c, argv: ['/usr/bin/tini', '--', 'node', 'results/x.mjs'] })[0]).toMatch(/results\/x\.mjs is not copied into the image/);
    expect(checkContainer(image, { ...c, user: 'root', argv: [...c.argv.slice(0, 4), 'run', 'smoke', '--results', '/srv/out'] })).toEqual([]);
    expect(checkContainer(image, { ...c, argv: [...c.argv.slice(0, 4), 'run', 'smoke', '--results', '/srv/out'] })[0]).toMatch(/writes \/srv\/out as node, but that path is not node's/);
  }, 60_000);
});

describe('docker/ without a Docker engine: environment, dependencies, compose, Kubernetes and Grafana', () => {
  it('the Chromium path the image sets is a program it installs; every WADDLE_FLEET_* variable set here is read by the code (or named as pending)', () => {
    expect(image.env.WADDLE_FLEET_CHROMIUM).toBe(image.programs['chromium-headless-shell']);
    const set = new Set<string>(Object.keys(image.env).filter((k) => k.startsWith('WADDLE_FLEET_')));
    for (const s of Object.values(compose.services)) for (const k of Object.keys((s.environment as object | undefined) ?? {})) if (k.startsWith('WADDLE_FLEET_')) set.add(k);
    for (const m of JSON.stringify(k8sDocs).matchAll(/"name":"(WADDLE_FLEET_[A-Z_]+)"/g)) set.add(m[1]!);
    const code = runtimeSources().map((f) => readFileSync(join(root, f), 'utf8')).join('\n');
    const unread = [...set].filter((k) => !code.includes(k)).sort();
    expect(unread, 'set by docker/ but read by no code: wire it, or remove it').toEqual(Object.keys(pendingEnv).filter((k) => set.has(k)).sort());
  });

  it('every package the runtime code imports is a production dependency (the image installs no devDependencies)', () => {
    const imported = new Set<string>();
    for (const f of runtimeSources()) {
      for (const m of readFileSync(join(root, f), 'utf8').matchAll(/(?:from|import\()\s*'([^'./][^']*)'/g)) {
        const spec = m[1]!;
        if (spec.startsWith('node:') || spec === 'waddle-fleet') continue;
        imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
    expect(imported.size).toBeGreaterThan(5);
    expect([...imported].filter((p) => !(p in pkg.dependencies)).sort()).toEqual([]);
  });

  it('compose: the services, their build context and every bind-mounted file exist; Grafana waits for the boards', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['dashboards', 'grafana', 'influxdb', 'waddle', 'worker-1', 'worker-2']);
    for (const [name, service] of Object.entries(compose.services)) {
      const build = service.build as { context: string; dockerfile: string } | undefined;
      if (build) expect(existsSync(join(dockerDir, build.context, build.dockerfile)), `${name} build`).toBe(true);
      for (const volume of (service.volumes as string[] | undefined) ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.')) expect(existsSync(join(dockerDir, source)), `${name}: ${source}`).toBe(true);
        else expect(compose.volumes, `${name}: named volume ${source}`).toHaveProperty(source);
      }
    }
    for (const w of ['worker-1', 'worker-2']) expect(compose.services[w]!.shm_size, `${w} shm_size`).toBe('2gb');
    expect((compose.services.influxdb!.environment as Record<string, string>).DOCKER_INFLUXDB_INIT_MODE).toBe('setup');
    // the dashboards volume is first mounted by its writer (so it takes /dashboards' owner from the fleet image), then read by Grafana
    expect((compose.services.grafana!.depends_on as Record<string, { condition: string }>).dashboards).toEqual({ condition: 'service_completed_successfully' });
    const shards = Object.values(compose.services).map((s) => s.command as string[] | undefined).filter((cmd) => cmd?.includes('--shard')).map((cmd) => cmd![cmd!.indexOf('--shard') + 1]);
    expect(shards.sort()).toEqual(['1/2', '2/2']);
    // no required-variable interpolation (${X:?}): it made every compose command fail until WADDLE_START_AT was set
    expect(read('compose.yaml')).not.toMatch(/\$\{[A-Z_]+:\?/);
    // the stress shape lasts 1 h 35 min: the workers shorten it on purpose, and say so
    for (const w of ['worker-1', 'worker-2']) expect((compose.services[w]!.command as string[]).join(' ')).toMatch(/--duration-scale 0\.05/);
  });

  it('the Kubernetes Job is Indexed and takes its shard from JOB_COMPLETION_INDEX', () => {
    const job = k8sDocs.find((d) => d.kind === 'Job')!;
    const spec = job.spec as Loose;
    expect(spec.completionMode).toBe('Indexed');
    expect(spec.completions).toBe(spec.parallelism);
    const words = shellWords(k8sContainers(image)[0]!.argv.at(-1)!);
    expect(words[words.indexOf('--shard') + 1]).toBe(`$((JOB_COMPLETION_INDEX + 1))/${String(spec.completions)}`);
    const configMap = k8sDocs.find((d) => d.kind === 'ConfigMap')!;
    expect(Object.keys(configMap.data as object).sort()).toEqual(['influxUrl', 'startAt', 'target']);
    expect(k8sDocs.some((d) => d.kind === 'PersistentVolumeClaim')).toBe(true);
  });

  it('Grafana: the pinned version is the one the boards are written for; its only InfluxDB datasource is the default, so the boards\' datasource variable selects it', () => {
    expect(compose.services.grafana!.image).toBe(`grafana/grafana:${grafanaVersionPinned}`);
    const ds = parse(read('grafana/provisioning/datasources/waddle-influx.yaml')) as { datasources: Loose[] };
    const influx = ds.datasources.filter((d) => d.type === 'influxdb');
    expect(influx).toHaveLength(1);
    expect(influx[0]).toMatchObject({ type: 'influxdb', isDefault: true, jsonData: { dbName: 'waddle' } });
    const provider = parse(read('grafana/provisioning/dashboards/waddle.yaml')) as { providers: { options: { path: string } }[] };
    const path = provider.providers[0]!.options.path;
    expect((compose.services.grafana!.volumes as string[]).some((v) => v.split(':')[1] === path)).toBe(true);
    expect(compose.services.dashboards!.command).toEqual(['dashboards', '--out', '/dashboards']);
  });

  it('the README says plainly that no image was built here', () => {
    expect(read('README.md')).toMatch(/No Docker engine runs on the machines/);
  });
});

// What can be checked of docker/ without a Docker engine (there is none on these machines):
// files parse, referenced files exist, and every waddle-fleet command line uses only known flags.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { knownRunFlags } from '../cli/flags.ts';

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

const subcommandFlags: Record<string, readonly string[]> = {
  run: knownRunFlags,
  dashboards: ['--out'],
  report: ['--baseline'],
  merge: ['--shards', '--out'],
  plans: [],
};

/** the flags (and subcommand) of one waddle-fleet command line, given as argv after the program */
function checkCommand(where: string, argv: readonly string[]): string[] {
  const problems: string[] = [];
  const [sub, ...rest] = argv;
  const allowed = subcommandFlags[sub ?? ''];
  if (!allowed) return [`${where}: unknown subcommand '${sub}'`];
  for (const token of rest) {
    if (!token.startsWith('--')) continue;
    const flag = token.split('=')[0]!;
    if (!allowed.includes(flag)) problems.push(`${where}: '${sub}' has no flag ${flag}`);
  }
  return problems;
}

/** split a shell string into words, honouring double quotes (enough for our manifests) */
function shellWords(s: string): string[] {
  return [...s.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

function k8sCommandLines(): { where: string; argv: string[] }[] {
  const out: { where: string; argv: string[] }[] = [];
  for (const doc of k8sDocs) {
    if (doc.kind !== 'Job') continue;
    const spec = ((doc.spec as Loose).template as Loose).spec as Loose;
    for (const c of spec.containers as Loose[]) {
      const words = [...((c.command as string[]) ?? []), ...((c.args as string[]) ?? [])].flatMap((w) => shellWords(w));
      const at = words.indexOf('bin/waddle-fleet.mjs');
      if (at >= 0) out.push({ where: `k8s Job ${String((doc.metadata as Loose).name)}/${String(c.name)}`, argv: words.slice(at + 1) });
    }
  }
  return out;
}

describe('docker/ without a Docker engine', () => {
  it('the Dockerfile: Debian slim Node 20, chromium + ffmpeg + fonts, tini as init, npm ci, non-root', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim$/m);
    for (const pkg of ['chromium', 'ffmpeg', 'tini', 'fonts-dejavu-core']) expect(dockerfile).toContain(pkg);
    expect(dockerfile).toContain('npm ci');
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--", "node", "bin\/waddle-fleet\.mjs"\]$/m);
    for (const copied of ['package.json', 'package-lock.json', 'bin/waddle-fleet.mjs']) expect(existsSync(join(root, copied)), copied).toBe(true);
  });

  it('compose: the services, their build context and every bind-mounted file exist', () => {
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
    const env = compose.services.influxdb!.environment as Record<string, string>;
    expect(env.DOCKER_INFLUXDB_INIT_MODE).toBe('setup');
  });

  it('every waddle-fleet command line uses only flags the CLI knows, and shards cover 1..n', () => {
    const problems: string[] = [];
    const shards: string[] = [];
    for (const [name, service] of Object.entries(compose.services)) {
      if (!service.build || service.entrypoint) continue; // the image's entrypoint is waddle-fleet
      const argv = service.command as string[];
      problems.push(...checkCommand(`compose ${name}`, argv));
      const at = argv.indexOf('--shard');
      if (at >= 0) shards.push(argv[at + 1]!);
    }
    const k8s = k8sCommandLines();
    expect(k8s).toHaveLength(1);
    for (const { where, argv } of k8s) problems.push(...checkCommand(where, argv));
    expect(problems).toEqual([]);
    expect(shards.sort()).toEqual(['1/2', '2/2']);
    // the check itself can fail:
    expect(checkCommand('self-test', ['run', 'stress', '--shardz', '1/2'])).toHaveLength(1);
  });

  it('the Kubernetes Job is Indexed and takes its shard from JOB_COMPLETION_INDEX', () => {
    const job = k8sDocs.find((d) => d.kind === 'Job')!;
    const spec = job.spec as Loose;
    expect(spec.completionMode).toBe('Indexed');
    expect(spec.completions).toBe(spec.parallelism);
    const args = k8sCommandLines()[0]!.argv;
    expect(args[args.indexOf('--shard') + 1]).toBe(`$((JOB_COMPLETION_INDEX + 1))/${String(spec.completions)}`);
    const configMap = k8sDocs.find((d) => d.kind === 'ConfigMap')!;
    expect(Object.keys(configMap.data as object).sort()).toEqual(['influxUrl', 'startAt', 'target']);
    expect(k8sDocs.some((d) => d.kind === 'PersistentVolumeClaim')).toBe(true);
  });

  it('Grafana provisioning: datasource uid waddle-influx (InfluxQL) and the dashboards folder compose mounts', () => {
    const ds = parse(read('grafana/provisioning/datasources/waddle-influx.yaml')) as { datasources: Loose[] };
    expect(ds.datasources[0]).toMatchObject({ uid: 'waddle-influx', type: 'influxdb', jsonData: { dbName: 'waddle' } });
    const provider = parse(read('grafana/provisioning/dashboards/waddle.yaml')) as { providers: { options: { path: string } }[] };
    const path = provider.providers[0]!.options.path;
    expect((compose.services.grafana!.volumes as string[]).some((v) => v.split(':')[1] === path)).toBe(true);
    expect(compose.services.dashboards!.command).toEqual(['dashboards', '--out', '/dashboards']);
  });

  it('the README says plainly that no image was built here', () => {
    expect(read('README.md')).toMatch(/No Docker engine runs on the machines/);
  });
});

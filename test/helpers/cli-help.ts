// What a command really accepts, read from its own `--help` (commander's format), so static checks
// of pipelines and manifests (test/docker.test.ts, test/release-gate.test.ts) follow the real CLI
// instead of a list kept in a test:
//   cliHelp(['run'])                                   // node bin/waddle-fleet.mjs run --help
//   cliHelp([], ['--import', 'tsx', 'reference-waddle/cli.ts'])
//   checkArgv('compose worker-1', ['run', 'stress', '--shard', '1/2'])  // problems, [] when fine
import { spawnSync } from 'node:child_process';
import { repoRoot } from './cli.ts';

export interface CommandHelp {
  /** long and short flags as printed, e.g. --results, --no-report, -h */
  readonly flags: ReadonlySet<string>;
  /** the flags followed by <value> or [value] in the help */
  readonly takesValue: ReadonlySet<string>;
  /** subcommand names listed under "Commands:" */
  readonly subcommands: readonly string[];
  /** "(default: ...)" of each flag that prints one, unquoted */
  readonly defaults: ReadonlyMap<string, string>;
}

/** commander wraps long descriptions onto deeper-indented lines: one string per entry of each section */
function entries(text: string): { section: string; text: string }[] {
  const out: { section: string; text: string }[] = [];
  let section = '';
  for (const line of text.split('\n')) {
    const header = /^(\w[\w ]*):\s*$/.exec(line);
    if (header) section = header[1]!.toLowerCase();
    else if (/^ {2}\S/.test(line)) out.push({ section, text: line.trim() });
    else if (/^ {3,}\S/.test(line) && out.length > 0) out[out.length - 1]!.text += ` ${line.trim()}`;
  }
  return out;
}

/** parse commander-style help text */
export function parseHelp(text: string): CommandHelp {
  const flags = new Set<string>();
  const takesValue = new Set<string>();
  const subcommands: string[] = [];
  const defaults = new Map<string, string>();
  for (const e of entries(text)) {
    if (e.section === 'commands') {
      const name = /^([a-z][\w-]*)\b/.exec(e.text)?.[1];
      if (name && name !== 'help') subcommands.push(name);
    }
    if (e.section !== 'options') continue;
    const m = /^(?:(-\w), )?(--?[\w-]+)( [<[][^>\]]+[>\]])?/.exec(e.text);
    if (!m) continue;
    if (m[1]) flags.add(m[1]);
    flags.add(m[2]!);
    if (m[3]) takesValue.add(m[2]!);
    const d = /\(default: ("?)([^)"]*)\1\)/.exec(e.text);
    if (d) defaults.set(m[2]!, d[2]!);
  }
  return { flags, takesValue, subcommands, defaults };
}

const cache = new Map<string, CommandHelp>();

/** the help of the real command: `node <entry...> <args...> --help` run in the repository */
export function cliHelp(args: readonly string[], entry: readonly string[] = ['bin/waddle-fleet.mjs']): CommandHelp {
  const key = [...entry, ...args].join(' ');
  const hit = cache.get(key);
  if (hit) return hit;
  const r = spawnSync(process.execPath, [...entry, ...args, '--help'], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`node ${key} --help exited ${r.status}: ${r.stderr}`);
  const help = parseHelp(r.stdout);
  if (help.flags.size === 0 && help.subcommands.length === 0) throw new Error(`node ${key} --help printed no options or commands:\n${r.stdout}`);
  cache.set(key, help);
  return help;
}

/**
 * Problems with one command line of a program (argv after the program), checked against the help
 * the program prints: the subcommand exists, and every --flag exists for it. A flag's value is
 * skipped when the help says it takes one.
 */
export function checkArgv(where: string, argv: readonly string[], entry: readonly string[] = ['bin/waddle-fleet.mjs'], hasSubcommands = true): string[] {
  const problems: string[] = [];
  let rest = argv;
  let help: CommandHelp;
  if (hasSubcommands) {
    const [sub, ...after] = argv;
    const root = cliHelp([], entry);
    if (!sub || !root.subcommands.includes(sub)) return [`${where}: unknown subcommand '${sub ?? ''}' (the CLI has ${root.subcommands.join(', ')})`];
    help = cliHelp([sub], entry);
    rest = after;
  } else {
    help = cliHelp([], entry);
  }
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i]!;
    if (!token.startsWith('-') || token === '-') continue;
    const flag = token.split('=')[0]!;
    if (!help.flags.has(flag)) problems.push(`${where}: '${hasSubcommands ? argv[0] : entry.at(-1)}' has no flag ${flag}`);
    else if (help.takesValue.has(flag) && !token.includes('=')) i++;
  }
  return problems;
}

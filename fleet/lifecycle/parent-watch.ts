// A fleet whose parent is gone stops its load and tears down (RELIABILITY.md). The parent can go
// without signalling us: `npx waddle-fleet` runs us under `npm exec` → `sh -c`, and when npm is
// SIGKILLed (or gets SIGTERM: npm forwards it to sh, and sh dies without passing it on) the
// fleet is re-parented and would otherwise keep 13 browsers loading the target, with no report.
// Node has no PR_SET_PDEATHSIG, so we poll: the parent and, when it is a launcher (sh -c, npm,
// npx, yarn, pnpm), the launchers above it — together the wrapper the user started. A process is identified by pid and start time, so a reused pid is not mistaken for it.
// When one of them is gone we send ourselves SIGTERM: the command's own interrupt path (stop
// users, partial report, close browsers, exit 130). If that has not ended the process after
// hardStopAfterMs, a second SIGTERM makes it exit at once (nobody is left to press Ctrl-C twice).
import { ancestors, commandLine, isProcessAlive, readProcStat, type ProcStat } from '../../common/proc.ts';

export interface ParentWatchOptions {
  /** how often to look (default 500 ms) */
  readonly intervalMs?: number;
  /** what to do when a watched process is gone (default: SIGTERM to ourselves, see above) */
  readonly onGone?: (gone: WatchedProcess) => void;
  /** default 120 s: the graceful stop (10 s grace, sink flush, report) takes far less */
  readonly hardStopAfterMs?: number;
}

export interface WatchedProcess {
  readonly pid: number;
  readonly startTicks: number;
  readonly commandLine: string;
}

export interface ParentWatch {
  /** the processes watched, parent first */
  readonly watched: readonly WatchedProcess[];
  stop(): void;
}

/** Starts watching; undefined when there is no parent to watch (started by init, or no /proc). */
export function watchParent(options: ParentWatchOptions = {}): ParentWatch | undefined {
  // process.ppid is read once at start-up by Node; /proc has the live value
  const initialPpid = readProcStat(process.pid)?.ppid ?? 0;
  if (initialPpid <= 1) return undefined;
  const watched = wrapperChain(ancestors(process.pid)).map(toWatched);
  if (watched.length === 0) return undefined;
  const onGone = options.onGone ?? ((gone) => stopAsOnSigterm(gone, options.hardStopAfterMs ?? 120_000));
  const timer = setInterval(() => {
    const reparented = readProcStat(process.pid)?.ppid !== initialPpid;
    const gone = reparented ? watched[0]! : watched.find((p) => !isProcessAlive(p));
    if (!gone) return;
    clearInterval(timer);
    onGone(gone);
  }, options.intervalMs ?? 500);
  timer.unref(); // watching never keeps the process alive
  return { watched, stop: () => clearInterval(timer) };
}

/**
 * The parent, and when it is a launcher, the launchers above it: for `npx waddle-fleet` that is
 * sh -c and npm exec, not the shell the user typed npx into (a `nohup npx …` outlives its shell).
 */
export function wrapperChain(chain: readonly ProcStat[], commandLineOf: (pid: number) => string = commandLine): ProcStat[] {
  const [parent, ...above] = chain;
  if (!parent) return [];
  const out = [parent];
  if (!isLauncher(commandLineOf(parent.pid))) return out;
  for (const p of above) {
    if (!isLauncher(commandLineOf(p.pid))) break;
    out.push(p);
  }
  return out;
}

/** A process that only starts another command and lives as long as it: sh -c, npm, npx, yarn, pnpm. */
export function isLauncher(line: string): boolean {
  const [first = '', second = ''] = line.split(' ');
  const base = first.slice(first.lastIndexOf('/') + 1);
  if (/^(sh|dash|bash|zsh|ash|ksh)$/.test(base)) return second === '-c';
  if (/^(npm|npx|pnpm|yarn)$/.test(base)) return true; // npm sets its title to "npm exec …" / "npm run …"
  if (/^node(js)?$/.test(base)) return /\/(npm-cli|npx-cli|yarn|pnpm)\.c?js$/.test(second);
  return false;
}

function toWatched(p: ProcStat): WatchedProcess {
  return { pid: p.pid, startTicks: p.startTicks, commandLine: commandLine(p.pid) || p.comm };
}

function stopAsOnSigterm(gone: WatchedProcess, hardStopAfterMs: number): void {
  // the terminal or pipe we print to may have gone with the parent: a failed write must not
  // crash the process before it has stopped its browsers
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  // program and first argument only ("npm exec", "sh -c"): the rest may hold tokens
  const who = gone.commandLine.split(' ').slice(0, 2).join(' ');
  try {
    process.stderr.write(`\nwaddle-fleet: the process that started this run is gone (pid ${gone.pid}: ${who}); stopping as on SIGTERM\n`);
  } catch {}
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => process.kill(process.pid, 'SIGTERM'), hardStopAfterMs).unref();
}

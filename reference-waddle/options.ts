// Options of the reference Waddle, with the defaults the issue asks for.
import { MAX_HISTORY_PAGE } from './protocol.ts';
import { checkCores } from './sfu/cpu-limit.ts';

export interface ReferenceWaddleOptions {
  /** TCP port; 0 = a free port (tests). Default 0. */
  port?: number;
  /** bind address; loopback by default so nothing outside this machine can reach it */
  host?: string;
  /** voice channels in the default waddle (load tests spread users over rooms). Default 10. */
  voiceChannels?: number;
  /** text channels in the default waddle (general, random, load-test, then chat-4…). Default 3. */
  textChannels?: number;
  /** participants per voice room (mesh call). Default 6. */
  maxVoiceParticipants?: number;
  /** where uploads go; a fresh temp dir (removed on stop) when not given */
  dataDir?: string;
  /** messages kept per channel (older ones are evicted), read in pages. Default 200; a volume test keeps 100,000. */
  historyLimit?: number;
  /** messages in the page of history a channel.open answers with (a client asks for older pages). Default 50. */
  historyPageSize?: number;
  /** chat messages per second per connection (token bucket refill). Default 20. */
  chatRatePerSec?: number;
  /** chat burst per connection (token bucket size). Default 60. */
  chatBurst?: number;
  /** chat message text limit in UTF-8 bytes. Default 4096. */
  maxMessageBytes?: number;
  /** upload size limit. Default 50 MiB. */
  maxUploadBytes?: number;
  /** upload chunk size. Default 64 KiB. */
  chunkBytes?: number;
  /** uploads one user may have in progress at once; past it a create gets 429 too_many_uploads. Default 8. */
  maxOpenUploadsPerUser?: number;
  /** an upload with no chunk for this long expires and its partial file is removed. Default 5 minutes. */
  uploadIdleTimeoutMs?: number;
  /** how calls carry media: 'mesh' (browser to browser, the default) or 'sfu' (through a Janus
   * VideoRoom the server starts and stops itself; needs the janus package, see sfu/) */
  media?: 'mesh' | 'sfu';
  /** SFU mode: the UDP ports Janus's ICE may bind, "FROM-TO". Default "20000-40000". */
  sfuRtpPortRange?: string;
  /** SFU mode: cap Janus's CPU at this many cores (e.g. 0.25), as a container's CPU limit would
   * (sfu/cpu-limit.ts: a cgroup CFS quota). An injected, known cause of SFU overload; none by default. */
  sfuCpuLimit?: number;
  /** log lines (errors only) go here; silent by default */
  log?: (line: string) => void;
}

/** Defaults a plan's needs are compared with (the fleet raises them for a plan that needs more). */
export const DEFAULT_HISTORY_LIMIT = 200;
export const DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

export type ResolvedOptions = Required<Omit<ReferenceWaddleOptions, 'dataDir' | 'sfuCpuLimit'>> & { dataDir?: string; sfuCpuLimit?: number };

export function resolveOptions(options: ReferenceWaddleOptions = {}): ResolvedOptions {
  const resolved: ResolvedOptions = {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    voiceChannels: options.voiceChannels ?? 10,
    textChannels: options.textChannels ?? 3,
    maxVoiceParticipants: options.maxVoiceParticipants ?? 6,
    dataDir: options.dataDir,
    sfuCpuLimit: options.sfuCpuLimit,
    historyLimit: options.historyLimit ?? DEFAULT_HISTORY_LIMIT,
    historyPageSize: options.historyPageSize ?? 50,
    chatRatePerSec: options.chatRatePerSec ?? 20,
    chatBurst: options.chatBurst ?? 60,
    maxMessageBytes: options.maxMessageBytes ?? 4096,
    maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    chunkBytes: options.chunkBytes ?? 64 * 1024,
    maxOpenUploadsPerUser: options.maxOpenUploadsPerUser ?? 8,
    uploadIdleTimeoutMs: options.uploadIdleTimeoutMs ?? 5 * 60_000,
    media: options.media ?? 'mesh',
    sfuRtpPortRange: options.sfuRtpPortRange ?? '20000-40000',
    log: options.log ?? (() => {}),
  };
  const problems: string[] = [];
  const intIn = (name: keyof ResolvedOptions, min: number, max: number): void => {
    const value = resolved[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name}: expected an integer from ${min} to ${max}, got ${String(value)}`);
    }
  };
  intIn('port', 0, 65535);
  intIn('voiceChannels', 0, 10_000);
  intIn('textChannels', 1, 10_000);
  intIn('maxVoiceParticipants', 2, 50);
  intIn('historyLimit', 1, 1_000_000);
  intIn('historyPageSize', 1, MAX_HISTORY_PAGE);
  intIn('chatBurst', 1, 1_000_000);
  intIn('maxMessageBytes', 1, 1024 * 1024);
  intIn('maxUploadBytes', 1, 10 * 1024 * 1024 * 1024);
  intIn('chunkBytes', 1024, 16 * 1024 * 1024);
  intIn('maxOpenUploadsPerUser', 1, 100_000);
  intIn('uploadIdleTimeoutMs', 100, 24 * 60 * 60_000);
  if (resolved.media !== 'mesh' && resolved.media !== 'sfu') problems.push(`media: expected 'mesh' or 'sfu', got ${JSON.stringify(resolved.media)}`);
  const range = /^(\d+)-(\d+)$/.exec(resolved.sfuRtpPortRange);
  if (!range || Number(range[1]) < 1024 || Number(range[2]) > 65535 || Number(range[1]) > Number(range[2])) {
    problems.push(`sfuRtpPortRange: expected "FROM-TO" with 1024 <= FROM <= TO <= 65535, got ${JSON.stringify(resolved.sfuRtpPortRange)}`);
  }
  if (resolved.sfuCpuLimit !== undefined) {
    if (resolved.media !== 'sfu') problems.push(`sfuCpuLimit: caps the media server, so it needs media 'sfu', got media ${JSON.stringify(resolved.media)}`);
    const bad = checkCores(resolved.sfuCpuLimit);
    if (bad) problems.push(bad);
  }
  if (!(resolved.chatRatePerSec > 0)) problems.push(`chatRatePerSec: expected a number above 0, got ${resolved.chatRatePerSec}`);
  if (problems.length > 0) throw new Error(`reference-waddle: invalid options:\n  ${problems.join('\n  ')}`);
  return resolved;
}

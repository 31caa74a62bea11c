// Start the reference Waddle alone: `npm run waddle -- --port 8080 --voice-channels 20`.
import { Command, InvalidArgumentError, Option } from 'commander';
import { startReferenceWaddle } from './server.ts';
import { findJanus } from './sfu/janus-process.ts';

function int(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer, got "${value}"`);
    return n;
  };
}

function cores(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`--sfu-cpu-limit must be a number of cores above 0 (e.g. 0.25), got "${value}"`);
  return n;
}

const program = new Command('waddle')
  .description('The reference Waddle: server + web client, the system under test for waddle-fleet')
  .option('--port <port>', 'TCP port (0 = a free port)', int('--port'), 8080)
  .option('--host <host>', 'bind address (loopback by default; the fleet only loads loopback targets)', '127.0.0.1')
  .option('--voice-channels <n>', 'voice channels in the default waddle', int('--voice-channels'), 10)
  .option('--text-channels <n>', 'text channels in the default waddle', int('--text-channels'), 3)
  .option('--max-voice-participants <n>', 'participants per voice room (mesh)', int('--max-voice-participants'), 6)
  .option('--chat-rate <perSec>', 'chat messages per second per connection', int('--chat-rate'), 20)
  .option('--history-limit <n>', 'messages kept per channel (a volume test keeps 100000)', int('--history-limit'), 200)
  .option('--history-page-size <n>', 'messages in the page of history sent on opening a channel', int('--history-page-size'), 50)
  .option('--max-upload-bytes <n>', 'upload size limit in bytes', int('--max-upload-bytes'), 50 * 1024 * 1024)
  .option('--data-dir <dir>', 'where uploads are stored (default: a temp dir removed on exit)')
  .option('--max-uploads-per-user <n>', 'uploads one user may have in progress at once', int('--max-uploads-per-user'), 8)
  .option('--upload-idle-timeout <seconds>', 'an upload with no chunk for this long expires', int('--upload-idle-timeout'), 300)
  .addOption(new Option('--media <mode>', 'how calls carry media: mesh (browser to browser) or sfu (through a Janus VideoRoom this server starts and stops)').choices(['mesh', 'sfu']).default('mesh'))
  .option('--sfu-rtp-ports <from-to>', 'SFU mode: UDP ports Janus may use for media', '20000-40000')
  .option('--sfu-cpu-limit <cores>', "SFU mode: cap Janus's CPU at this many cores (e.g. 0.25), as a container's CPU limit would (a cgroup quota): a known cause of SFU overload", cores)
  .parse();

const opts = program.opts<{
  port: number;
  host: string;
  voiceChannels: number;
  textChannels: number;
  maxVoiceParticipants: number;
  chatRate: number;
  historyLimit: number;
  historyPageSize: number;
  maxUploadBytes: number;
  dataDir?: string;
  maxUploadsPerUser: number;
  uploadIdleTimeout: number;
  media: 'mesh' | 'sfu';
  sfuRtpPorts: string;
  sfuCpuLimit?: number;
}>();

if (opts.media === 'sfu') {
  const janus = findJanus();
  if ('problem' in janus) {
    console.error(`waddle: ${janus.problem}`);
    process.exit(2);
  }
}

try {
  const waddle = await startReferenceWaddle({
    port: opts.port,
    host: opts.host,
    voiceChannels: opts.voiceChannels,
    textChannels: opts.textChannels,
    maxVoiceParticipants: opts.maxVoiceParticipants,
    chatRatePerSec: opts.chatRate,
    historyLimit: opts.historyLimit,
    historyPageSize: opts.historyPageSize,
    maxUploadBytes: opts.maxUploadBytes,
    maxOpenUploadsPerUser: opts.maxUploadsPerUser,
    uploadIdleTimeoutMs: opts.uploadIdleTimeout * 1000,
    media: opts.media,
    sfuRtpPortRange: opts.sfuRtpPorts,
    ...(opts.sfuCpuLimit !== undefined ? { sfuCpuLimit: opts.sfuCpuLimit } : {}),
    ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}),
    log: (line) => console.error(line),
  });
  if (waddle.sfuPid !== undefined) console.log(`calls go through Janus (pid ${waddle.sfuPid}, loopback only, RTP ports ${opts.sfuRtpPorts}${opts.sfuCpuLimit !== undefined ? `, CPU capped at ${opts.sfuCpuLimit} cores` : ''})`);
  console.log(`reference Waddle at ${waddle.url} (health ${waddle.url}/healthz, metrics ${waddle.url}/metrics, uploads in ${waddle.dataDir})`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) process.exit(130);
    stopping = true;
    void waddle.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  console.error(`waddle: could not start: ${(error as Error).message}`);
  process.exit(2);
}

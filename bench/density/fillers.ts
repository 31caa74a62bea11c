// Protocol members that complete each chat channel to its size and one protocol observer per
// channel, run by the benchmark itself (outside the generator under test, so they cost it
// nothing). The observer's delivery times are the reference the browser users' must match.
import { ProtocolWaddleClient } from '../../clients/protocol/protocol-waddle-client.ts';
import { channelIndexOf, type Workload } from './workloads.ts';

export interface TimedValue {
  readonly atMs: number;
  readonly value: number;
}

export interface ChatFillers {
  /** what the observers measured: delivery ms of every message, stamped at arrival */
  readonly observed: TimedValue[];
  stop(): Promise<void>;
}

export async function startChatFillers(target: string, w: Workload, browserUsers: number, tag: string): Promise<ChatFillers> {
  const size = w.channelSize ?? 10;
  const channels = Math.max(1, Math.ceil(browserUsers / size));
  const observed: TimedValue[] = [];
  const clients: ProtocolWaddleClient[] = [];
  const stop = new AbortController();
  const loops: Promise<void>[] = [];
  const join = async (name: string, channel: number) => {
    const c = new ProtocolWaddleClient({ baseUrl: target, username: name });
    clients.push(c);
    await c.connect();
    const waddle = await c.joinWaddle();
    const ids = waddle.textChannels;
    if (ids.length < channels) throw new Error(`bench: the target has ${ids.length} text channels; ${channels} are needed (start it with --text-channels ${channels})`);
    await c.openTextChannel(ids[channel]!.id);
    return c;
  };
  for (let ch = 0; ch < channels; ch++) {
    const observer = await join(`${tag}-observer-${ch}`, ch);
    observer.onMessage((m) => {
      if (m.sentAtMs !== undefined) observed.push({ atMs: m.receivedAtMs, value: m.receivedAtMs - m.sentAtMs });
    });
    if (w.name !== 'chat') continue;
    const inChannel = Array.from({ length: browserUsers }, (_, i) => i).filter((i) => channelIndexOf(i, size) === ch).length;
    for (let f = 0; f < size - inChannel; f++) {
      const filler = await join(`${tag}-filler-${ch}-${f}`, ch);
      loops.push(sendEvery(filler, w.chatIntervalMs ?? 2000, stop.signal, f * 137));
    }
  }
  return {
    observed,
    stop: async () => {
      stop.abort();
      await Promise.allSettled(loops);
      await Promise.allSettled(clients.map((c) => c.close()));
    },
  };
}

async function sendEvery(c: ProtocolWaddleClient, intervalMs: number, signal: AbortSignal, offsetMs: number): Promise<void> {
  await sleep(offsetMs, signal);
  let n = 0;
  while (!signal.aborted) {
    await c.sendMessage(`filler message ${n++} keeps the channel full`).catch(() => {});
    await sleep(intervalMs, signal);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

// waitForRemoteMedia of a protocol user: waits on its call session (the synthetic signalling of
// VoiceCall, or real media for protocolMedia), bounded, and all failed at once when the
// connection is lost or the client closes.
import type { RemoteMediaKind } from '../waddle-client.ts';
import type { CallSession } from './voice-call.ts';

export class MediaWaits {
  #waits: Set<(error: Error) => void> | undefined;

  constructor(private readonly label: string) {}

  /** Resolve with the ms waited once `voice` has a peer announcing `kind`; reject at the timeout. */
  wait(voice: CallSession, kind: RemoteMediaKind, timeoutMs: number): Promise<number> {
    const startedAtMs = performance.now();
    return new Promise<number>((resolve, reject) => {
      const fail = (error: Error): void => {
        clearTimeout(timer);
        stop();
        this.#waits?.delete(fail);
        reject(error);
      };
      const timer = setTimeout(() => fail(new Error(`${this.label}: timed out after ${timeoutMs} ms waiting for remote ${kind}: ${voice.needs(kind)} (seen: ${voice.describe(kind)})`)), timeoutMs);
      (this.#waits ??= new Set()).add(fail);
      const stop = voice.whenMedia(kind, () => {
        clearTimeout(timer);
        this.#waits?.delete(fail);
        resolve(performance.now() - startedAtMs);
      });
    });
  }

  failAll(error: Error): void {
    const waits = this.#waits;
    this.#waits = undefined;
    for (const fail of waits ?? []) fail(error);
  }
}

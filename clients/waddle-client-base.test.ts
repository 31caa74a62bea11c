import { describe, expect, it } from 'vitest';
import type { WaddleClient } from './waddle-client.ts';
import { WaddleClientBase } from './waddle-client-base.ts';

/** A 3-button app's client: what it has, and nothing else to write. */
class ButtonsClient extends WaddleClientBase {
  readonly username = 'ann';
  connected = false;
  async connect(): Promise<void> {
    this.connected = true;
  }
}

describe('WaddleClientBase', () => {
  it('lets a client write only what its app has; the rest rejects naming the client and the method', async () => {
    const client: WaddleClient = new ButtonsClient();
    await client.connect();
    await expect(client.joinVoice()).rejects.toThrow('ButtonsClient.joinVoice is not implemented: the driver\'s capabilities do not cover it');
    await expect(client.upload('/tmp/x')).rejects.toThrow(/ButtonsClient\.upload is not implemented/);
    expect(() => client.onMessage(() => {})).toThrow(/ButtonsClient\.onMessage is not implemented/);
    await expect(client.close()).resolves.toBeUndefined();
    // the optional methods stay absent, so the fleet knows the client has no history or connection events
    expect(client.openChannelHistory).toBeUndefined();
    expect(client.onConnection).toBeUndefined();
  });
});

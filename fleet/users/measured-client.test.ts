// The bookkeeping of presence.propagation_ms, on a scripted stand-in client (the real browser path
// is covered by the smoke e2e test, which requires the metric).
import { describe, expect, it } from 'vitest';
import type { PresenceChange, WaddleClient, WaddleInfo } from '../../clients/waddle-client.ts';
import { measurePresence, PresenceBoard } from './measured-client.ts';

function scriptedClient(username: string) {
  const handlers = new Set<(c: PresenceChange) => void>();
  const client = {
    username,
    joinWaddle: async (id?: string): Promise<WaddleInfo> => ({ id: id ?? 'hq', name: 'HQ', textChannels: [], voiceChannels: [] }) as unknown as WaddleInfo,
    onPresence: (h: (c: PresenceChange) => void) => (handlers.add(h), () => handlers.delete(h)),
  };
  const see = (who: string, online: boolean, seenAtMs: number) => handlers.forEach((h) => h({ username: who, online, seenAtMs }));
  return { client: client as unknown as WaddleClient, see };
}

describe('measurePresence', () => {
  it('times a join from its start to another member seeing it, once, and not for members already there', async () => {
    let clock = 1_000;
    const now = () => clock;
    const board = new PresenceBoard();
    const recorded: [string, number][] = [];
    const recorder = { record: (m: string, v: number) => void recorded.push([m, v]) };
    const a = scriptedClient('a');
    const b = scriptedClient('b');
    const early = scriptedClient('early');
    // the fleet hands journeys the measured client, which delegates everything else to the driver's
    const earlyMeasured = measurePresence(early.client, board, recorder, { journey: 'x' }, now).client;
    const aMeasured = measurePresence(a.client, board, recorder, { journey: 'x' }, now).client;
    const bMeasured = measurePresence(b.client, board, recorder, { journey: 'x' }, now).client;

    await earlyMeasured.joinWaddle(); // at 1000
    clock = 2_000;
    await bMeasured.joinWaddle(); // b in at 2000
    b.see('early', true, 2_050); // in b's initial list: not propagation
    clock = 3_000;
    await aMeasured.joinWaddle(); // a starts at 3000
    b.see('a', true, 3_180);
    b.see('a', true, 3_400); // the same sighting again (list re-rendered)
    early.see('a', true, 3_210);
    a.see('b', true, 3_020); // a sees b, who was there first: not propagation
    b.see('a', false, 9_000);
    expect(recorded).toEqual([['presence.propagation_ms', 180], ['presence.propagation_ms', 210]]);
    // a joins again (a new session): a new join, measured once more
    clock = 10_000;
    await aMeasured.joinWaddle();
    b.see('a', true, 10_090);
    b.see('a', true, 10_300);
    expect(recorded.slice(2)).toEqual([['presence.propagation_ms', 90]]);
  });
});

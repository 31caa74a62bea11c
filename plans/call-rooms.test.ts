import { describe, expect, it } from 'vitest';
import { resolvePlan } from './resolve.ts';
import type { Plan } from './schema.ts';
import { assignCallRooms, describeCallRooms } from './call-rooms.ts';
import { buildFullSchedule, callRoomLayout } from './schedule.ts';

const plan = (scenarios: Plan['phases'][number]['scenarios'], targetUsers: number, rampUp = '10s'): Plan => ({
  name: 'rooms',
  phases: [{ name: 'p', targetUsers, rampUp, duration: '1m', scenarios }],
});

describe('call rooms', () => {
  it('puts callers together by their index among the journey\'s users, not the plan\'s (issue 9: users 1 and 5 met nobody)', () => {
    const resolved = resolvePlan(plan([{ journey: 'chatMessaging', users: 6 }, { journey: 'voiceCall', users: 2, params: { roomSize: 2 } }], 8));
    const callers = buildFullSchedule(resolved).filter((s) => s.journey === 'voiceCall');
    expect(callers.map((s) => s.index)).not.toEqual([0, 1]); // they are spread over the plan's indices…
    expect(new Set(callers.map((s) => s.callRoom)).size).toBe(1); // …and still share one room
    expect(callRoomLayout(resolved)).toEqual([expect.objectContaining({ journey: 'voiceCall', rooms: 1, loneRooms: 0 })]);
  });

  it('gives each call journey its own rooms after the pinned ones, and shares pinned rooms on purpose', () => {
    const resolved = resolvePlan(
      plan([
        { journey: 'voiceCall', users: 4, params: { roomSize: 2 } },
        { journey: 'videoCall', users: 3, params: { roomSize: 3 } },
        { journey: 'screenShare', users: 1, params: { room: 1 } },
        { journey: 'mixedUsage', users: 1, params: { room: 1 } },
      ], 9),
    );
    const rooms = (journey: string) => buildFullSchedule(resolved).filter((s) => s.journey === journey).map((s) => s.callRoom);
    expect(rooms('voiceCall').sort()).toEqual([2, 2, 3, 3]);
    expect(rooms('videoCall')).toEqual([4, 4, 4]);
    expect(rooms('screenShare')).toEqual([1]);
    expect(rooms('mixedUsage')).toEqual([1]);
    expect(buildFullSchedule(resolved).filter((s) => s.journey === 'chatMessaging')).toEqual([]);
  });

  it('finds rooms where a caller is alone, and warns only for journeys that wait for peers', () => {
    const resolved = resolvePlan(plan([{ journey: 'voiceCall', users: 3, params: { roomSize: 2 } }, { journey: 'screenShare', users: 1 }], 4));
    const layout = callRoomLayout(resolved);
    expect(layout.find((l) => l.journey === 'voiceCall')).toMatchObject({ rooms: 2, loneRooms: 1 });
    expect(layout.find((l) => l.journey === 'screenShare')).toMatchObject({ rooms: 1, loneRooms: 1, expectsPeers: false });
    const { warnings } = describeCallRooms(layout);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/voiceCall: 1 of 2 call room\(s\) never hold two users at once.*plan problem/);
  });

  it('calls a room lone when its two users never overlap in time', () => {
    const slots = [
      { journey: 'voiceCall', indexInJourney: 0, startAtMs: 0, stopAtMs: 1000 },
      { journey: 'voiceCall', indexInJourney: 1, startAtMs: 1000, stopAtMs: 2000 },
    ];
    expect(assignCallRooms(slots, () => ({ size: 2 })).layout[0]).toMatchObject({ rooms: 1, loneRooms: 1 });
  });

  it('never groups users of different drivers into one room', () => {
    const slots = [
      { journey: 'voiceCall', driver: 'browser', indexInJourney: 0, startAtMs: 0, stopAtMs: 1000 },
      { journey: 'voiceCall', driver: 'protocol', indexInJourney: 0, startAtMs: 0, stopAtMs: 1000 },
      { journey: 'voiceCall', driver: 'protocol', indexInJourney: 1, startAtMs: 0, stopAtMs: 1000 },
    ];
    const { rooms, layout } = assignCallRooms(slots, () => ({ size: 2 }));
    expect(rooms).toEqual([0, 1, 1]);
    expect(layout.map((l) => [l.driver, l.loneRooms])).toEqual([['browser', 1], ['protocol', 0]]);
  });

  it('fills the rooms of a named group with each scenario\'s share: 1 browser + 5 protocolMedia per room', () => {
    const resolved = resolvePlan(
      plan([
        { journey: 'videoCall', driver: 'browser', users: 2, params: { roomSize: 1, roomGroup: 'hybrid' } },
        { journey: 'videoCall', driver: 'protocolMedia', users: 10, params: { roomSize: 5, roomGroup: 'hybrid' } },
        { journey: 'voiceCall', driver: 'protocolMedia', users: 2, params: { roomSize: 2 } },
      ], 14),
    );
    const schedule = buildFullSchedule(resolved);
    const roomsOf = (journey: string, driver: string) => schedule.filter((s) => s.journey === journey && s.driver === driver).map((s) => s.callRoom).sort();
    expect(roomsOf('videoCall', 'browser')).toEqual([0, 1]);
    expect(roomsOf('videoCall', 'protocolMedia')).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(roomsOf('voiceCall', 'protocolMedia')).toEqual([2, 2]); // after the group's rooms
    const { lines, warnings } = describeCallRooms(callRoomLayout(resolved));
    expect(lines).toContain("videoCall: 1 per room of group 'hybrid': 2 room(s) 0, 1");
    expect(lines).toContain("videoCall (protocolMedia): 5 per room of group 'hybrid': 2 room(s) 0, 1");
    expect(warnings).toEqual([]);
  });
});

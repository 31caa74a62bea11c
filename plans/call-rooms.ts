// Call rooms, planned up front over the whole (unsharded) plan so every shard agrees and the dry
// run can show them. A journey with callRoom (journeys/types.ts) puts its users in rooms of `size`
// by their index among that journey's users, or all in a pinned room. Grouped rooms are numbered
// after the highest pinned one, journey after journey, so callers of different journeys never
// crowd one room by accident; pinned rooms are shared on purpose, and so are the grouped rooms of
// scenarios that name one `group` (hybrid calls: browser users among protocolMedia users, each
// scenario putting its own `size` users in each of the group's rooms). A user's voice channel is
// room % (the waddle's voice channels).
//
// A room whose users never overlap in time (or that holds a single user) is "lone": its users
// wait for remote media that cannot come. That is a plan problem, not a finding about Waddle,
// so the dry run warns and the report says so.
import { peakConcurrency } from './peak-concurrency.ts';

export interface RoomRule {
  readonly size: number;
  readonly pinned?: number;
  /** its users wait for the others' media (a lone user then fails); false for e.g. a screen sharer */
  readonly expectsPeers?: boolean;
  /** rooms shared with every scenario of the same group (each with its own size per room) */
  readonly group?: string;
}

export interface RoomSlot {
  readonly journey: string;
  /** the scenario's driver: users of different drivers never share a grouped room */
  readonly driver?: string;
  readonly indexInJourney: number;
  readonly startAtMs: number;
  readonly stopAtMs: number;
}

export interface CallRoomLayout {
  readonly journey: string;
  readonly driver: string;
  readonly roomSize: number;
  readonly expectsPeers: boolean;
  /** pinned room, when the plan pinned this journey's users */
  readonly pinned?: number;
  /** the room group these users share rooms with (hybrid calls) */
  readonly group?: string;
  /** rooms this journey's users are in */
  readonly rooms: number;
  /** rooms that never hold two of the plan's users at once */
  readonly loneRooms: number;
  /** room numbers (first few), for the dry run */
  readonly roomNumbers: readonly number[];
  /** the highest room number: a target needs this many voice channels + 1 for rooms not to share one */
  readonly lastRoom: number;
}

/**
 * The room of every slot (undefined for journeys that make no calls), and the layout per journey.
 * `ruleOf` gives a slot's rule from its journey and params (undefined: not a call journey).
 */
export function assignCallRooms<S extends RoomSlot>(
  slots: readonly S[],
  ruleOf: (slot: S) => RoomRule | undefined,
): { rooms: (number | undefined)[]; layout: CallRoomLayout[] } {
  const rules = slots.map(ruleOf);
  const highestPinned = Math.max(-1, ...rules.map((r) => r?.pinned ?? -1));
  const laneKey = (slot: S) => `${slot.journey}\u0000${slot.driver ?? 'browser'}`;
  const groupKey = (slot: S, rule: RoomRule) => (rule.group !== undefined ? `group\u0000${rule.group}` : laneKey(slot));
  // grouped rooms: a base per journey (and driver) or per named group, in order of first appearance;
  // a group spans as many rooms as its member lane that needs the most
  const bases = new Map<string, number>();
  let nextRoom = highestPinned + 1;
  slots.forEach((slot, i) => {
    const rule = rules[i];
    if (!rule || rule.pinned !== undefined || bases.has(groupKey(slot, rule))) return;
    const key = groupKey(slot, rule);
    const lanes = new Map<string, { count: number; size: number }>();
    slots.forEach((s, j) => {
      const r = rules[j];
      if (!r || r.pinned !== undefined || groupKey(s, r) !== key) return;
      const lane = lanes.get(laneKey(s)) ?? { count: 0, size: r.size };
      lanes.set(laneKey(s), { count: Math.max(lane.count, s.indexInJourney + 1), size: lane.size });
    });
    bases.set(key, nextRoom);
    nextRoom += Math.max(...[...lanes.values()].map((l) => Math.ceil(l.count / l.size)));
  });
  const rooms = slots.map((slot, i) => {
    const rule = rules[i];
    if (!rule) return undefined;
    return rule.pinned ?? bases.get(groupKey(slot, rule))! + Math.floor(slot.indexInJourney / rule.size);
  });
  return { rooms, layout: layoutOf(slots, rules, rooms) };
}

function layoutOf<S extends RoomSlot>(slots: readonly S[], rules: readonly (RoomRule | undefined)[], rooms: readonly (number | undefined)[]): CallRoomLayout[] {
  const byRoom = new Map<number, S[]>();
  slots.forEach((slot, i) => {
    const room = rooms[i];
    if (room !== undefined) byRoom.set(room, [...(byRoom.get(room) ?? []), slot]);
  });
  const lone = new Set([...byRoom].filter(([, members]) => peakConcurrency(members) < 2).map(([room]) => room));
  const layouts = new Map<string, { slot: S; rule: RoomRule; rooms: Set<number> }>();
  slots.forEach((slot, i) => {
    const rule = rules[i];
    const room = rooms[i];
    if (!rule || room === undefined) return;
    const key = `${slot.journey}\u0000${slot.driver ?? 'browser'}`;
    const entry = layouts.get(key) ?? { slot, rule, rooms: new Set<number>() };
    entry.rooms.add(room);
    layouts.set(key, entry);
  });
  return [...layouts.values()].map(({ slot, rule, rooms: mine }) => ({
    journey: slot.journey,
    driver: slot.driver ?? 'browser',
    roomSize: rule.size,
    expectsPeers: rule.expectsPeers ?? true,
    ...(rule.pinned !== undefined ? { pinned: rule.pinned } : {}),
    ...(rule.group !== undefined && rule.pinned === undefined ? { group: rule.group } : {}),
    rooms: mine.size,
    loneRooms: [...mine].filter((room) => lone.has(room)).length,
    roomNumbers: [...mine].sort((a, b) => a - b).slice(0, 8),
    lastRoom: Math.max(...mine),
  }));
}

/** Dry-run lines: who calls in which rooms, and a warning per journey with lone callers. */
export function describeCallRooms(layout: readonly CallRoomLayout[]): { lines: string[]; warnings: string[] } {
  const lines: string[] = [];
  const warnings: string[] = [];
  for (const l of layout) {
    const who = `${l.journey}${l.driver !== 'browser' ? ` (${l.driver})` : ''}`;
    const where = l.pinned !== undefined ? `all in room ${l.pinned}` : `${l.group !== undefined ? `${l.roomSize} per room of group '${l.group}'` : `rooms of ${l.roomSize}`}: ${l.rooms} room(s) ${l.roomNumbers.join(', ')}${l.rooms > l.roomNumbers.length ? ', …' : ''}`;
    lines.push(`${who}: ${where}${l.loneRooms > 0 && !l.expectsPeers ? ` (${l.loneRooms} alone in their room)` : ''}`);
    if (l.loneRooms > 0 && l.expectsPeers) {
      warnings.push(
        `${who}: ${l.loneRooms} of ${l.rooms} call room(s) never hold two users at once, so their users wait for remote media that cannot come ` +
          `(their wait_remote_* steps fail: a plan problem, not Waddle's); give the journey more users, a smaller roomSize, or pin it to a shared room`,
      );
    }
  }
  return { lines, warnings };
}

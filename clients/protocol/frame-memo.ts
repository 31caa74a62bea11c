// Parsing a frame whose big part arrives again and again byte for byte, once per thread.
//
// Every protocol user lists the waddles and joins one; with 1,000 text and 1,000 voice channels
// each answer (waddle.list, waddle.joined) carries the same ~80 KB summary. In a ramp of 12,000
// users that was ~100 parses of 80 KB a second per worker thread (~8% of a core in JSON.parse, and
// ~2,000 objects of garbage each, some of it outliving a scavenge). Here the first such frame is
// parsed in full and its top-level value kept with its bytes; a later frame whose bytes at that
// place equal them (one memcmp) is parsed without it, and the kept value goes in its place. What a
// frame holds is unchanged: a value that differs in one byte misses and is parsed (and kept instead).
// Kept values are frozen, deeply: every client of the thread shares them, and none may change them.

/** Top-level keys whose values are memoized: the reference Waddle's waddle summaries. */
const MEMO_KEYS = ['waddles', 'waddle'] as const;
/** Smaller frames are parsed as they come: the lookup would cost more than it saves. */
export const MEMO_MIN_BYTES = 8 * 1024;
/** The key must come this early (after "type" and "ref"), so finding it is a short search. */
const HEAD_BYTES = 256;

interface Memo {
  readonly raw: Buffer;
  readonly value: unknown;
}

const memos = new Map<string, Memo>();
const keyBytes = new Map<string, Buffer>(MEMO_KEYS.map((k) => [k, Buffer.from(`"${k}":`, 'latin1')]));

/** JSON.parse of a frame, with a repeated big top-level value taken from the thread's memo. */
export function parseFrame(data: Buffer): unknown {
  if (data.length < MEMO_MIN_BYTES) return JSON.parse(data.toString());
  const found = topLevelKey(data);
  if (!found) return JSON.parse(data.toString());
  const { key, start } = found;
  const memo = memos.get(key);
  if (memo && endsValueAt(data, start, memo.raw)) {
    const end = start + memo.raw.length;
    const frame = JSON.parse(`${data.toString('utf8', 0, start)}null${data.toString('utf8', end)}`) as Record<string, unknown>;
    frame[key] = memo.value;
    return frame;
  }
  const frame = JSON.parse(data.toString()) as unknown;
  remember(data, key, start, frame);
  return frame;
}

/** For tests: forget what was kept. */
export function clearFrameMemo(): void {
  memos.clear();
}

function remember(data: Buffer, key: string, start: number, frame: unknown): void {
  if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) return;
  const value = (frame as Record<string, unknown>)[key];
  if (value === null || typeof value !== 'object') return;
  // the sender's JSON.stringify of plain data writes what ours does; kept only when the bytes agree
  const raw = Buffer.from(JSON.stringify(value));
  if (!endsValueAt(data, start, raw)) return;
  memos.set(key, { raw, value: deepFreeze(value) });
}

/** Whether data holds raw at start, followed by the end of the value (`,` or `}` of the frame). */
function endsValueAt(data: Buffer, start: number, raw: Buffer): boolean {
  const end = start + raw.length;
  if (end >= data.length) return false;
  const next = data[end];
  if (next !== 0x2c && next !== 0x7d) return false;
  return data.compare(raw, 0, raw.length, start, end) === 0;
}

/**
 * Where a memoized key's value starts, if the key is a key of the frame object itself (depth 1,
 * outside strings) within its first HEAD_BYTES bytes.
 */
function topLevelKey(data: Buffer): { key: string; start: number } | undefined {
  const head = Math.min(data.length, HEAD_BYTES);
  if (data[0] !== 0x7b) return undefined; // '{'
  let depth = 0;
  let inString = false;
  for (let i = 0; i < head; i += 1) {
    const c = data[i];
    if (inString) {
      if (c === 0x5c) i += 1; // a backslash escapes the next byte
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x7b || c === 0x5b) depth += 1;
    else if (c === 0x7d || c === 0x5d) depth -= 1;
    else if (c === 0x22) {
      if (depth === 1) {
        for (const [key, bytes] of keyBytes) {
          if (data.compare(bytes, 0, bytes.length, i, i + bytes.length) === 0) return { key, start: i + bytes.length };
        }
      }
      inString = true;
    }
  }
  return undefined;
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  for (const inner of Object.values(value)) deepFreeze(inner);
  return Object.freeze(value);
}

import { afterEach, describe, expect, it } from 'vitest';
import { clearFrameMemo, MEMO_MIN_BYTES, parseFrame } from './frame-memo.ts';

// A waddle summary as big as the ramp's (1,000 text + 1,000 voice channels, ~80 KB).
function summary(name = 'General', channels = 1_000): Record<string, unknown> {
  const list = (kind: string) => Array.from({ length: channels }, (_, i) => ({ id: `${kind}-${i}`, name: `${kind} ${i} ✓` }));
  return { id: 'w1', name, textChannels: list('text'), voiceChannels: list('voice') };
}
const frame = (body: Record<string, unknown>): Buffer => Buffer.from(JSON.stringify(body));

afterEach(() => clearFrameMemo());

describe('parseFrame', () => {
  it('parses a repeated summary once: the second frame gets the kept value, equal to a fresh parse', () => {
    const a = frame({ type: 'waddle.joined', ref: 'r1', waddle: summary(), online: ['ann'], onlineCount: 1 });
    const b = frame({ type: 'waddle.joined', ref: 'r2', waddle: summary(), online: ['bob', 'ann'], onlineCount: 2 });
    expect(a.length).toBeGreaterThan(MEMO_MIN_BYTES);
    const first = parseFrame(a) as Record<string, unknown>;
    const second = parseFrame(b) as Record<string, unknown>;
    expect(first).toEqual(JSON.parse(a.toString()));
    expect(second).toEqual(JSON.parse(b.toString()));
    expect(second.waddle).toBe(first.waddle); // from the memo, not parsed again
    expect(second.ref).toBe('r2');
    expect(second.online).toEqual(['bob', 'ann']);
  });

  it('memoizes an array value too (waddle.list), and a frame whose value differs by a byte is parsed afresh', () => {
    const list = (name: string): Buffer => frame({ type: 'waddle.list', ref: 'r1', waddles: [summary(name)] });
    const first = parseFrame(list('General')) as { waddles: unknown };
    expect((parseFrame(list('General')) as { waddles: unknown }).waddles).toBe(first.waddles);
    const changed = parseFrame(list('Generak')) as { waddles: { name: string }[] };
    expect(changed.waddles).not.toBe(first.waddles);
    expect(changed.waddles[0]?.name).toBe('Generak');
    // the changed one is kept now
    expect((parseFrame(list('Generak')) as { waddles: unknown }).waddles).toBe(changed.waddles);
  });

  it('keeps values frozen: a client that changed the shared summary would throw, not change it for all', () => {
    const body = () => frame({ type: 'waddle.joined', waddle: summary(), online: [], onlineCount: 0 });
    parseFrame(body());
    const kept = (parseFrame(body()) as { waddle: { textChannels: { name: string }[] } }).waddle;
    expect(() => {
      (kept.textChannels[0] as { name: string }).name = 'x';
    }).toThrow(TypeError);
  });

  it('leaves a nested key of the same name, a key inside a string and small frames alone', () => {
    const nested = () => frame({ type: 'x', meta: { waddle: summary() }, waddle: 1 });
    parseFrame(nested());
    const again = parseFrame(nested()) as { meta: { waddle: unknown }; waddle: unknown };
    expect(again).toEqual(JSON.parse(nested().toString()));
    const inString = () => frame({ type: 'chat.message', text: `"waddle":${JSON.stringify(summary())}` });
    parseFrame(inString());
    expect(parseFrame(inString())).toEqual(JSON.parse(inString().toString()));
    const small = () => frame({ type: 'waddle.joined', waddle: summary('S', 2), online: [], onlineCount: 0 });
    const s1 = parseFrame(small()) as { waddle: unknown };
    expect((parseFrame(small()) as { waddle: unknown }).waddle).not.toBe(s1.waddle);
  });

  it('rejects what JSON.parse rejects, on the memo path too', () => {
    const good = JSON.stringify({ type: 'waddle.joined', waddle: summary(), online: [], onlineCount: 0 });
    parseFrame(Buffer.from(good));
    expect(() => parseFrame(Buffer.from(`${good.slice(0, -1)},}`))).toThrow(SyntaxError);
  });
});

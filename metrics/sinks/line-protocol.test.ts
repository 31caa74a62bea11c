import { describe, expect, it } from 'vitest';
import { escapeKey, escapeMeasurement, escapeStringField, toLine } from './line-protocol.ts';

describe('line protocol escaping', () => {
  it('escapes spaces, commas and = in tag keys and values', () => {
    expect(escapeKey('send message, now=ok')).toBe('send\\ message\\,\\ now\\=ok');
  });
  it('keeps a backslash before an ordinary character, replaces an ambiguous one', () => {
    expect(escapeKey('C:\\path')).toBe('C:\\path');
    expect(escapeKey('end\\')).toBe('end/');
    expect(escapeKey('a\\,b')).toBe('a/\\,b');
    expect(escapeKey('a\\ b')).toBe('a/\\ b');
  });
  it('writes newlines in tags as the two characters \\n, never a raw newline', () => {
    expect(escapeKey('two\nlines\r\nthree')).toBe('two\\nlines\\nthree');
  });
  it('leaves unicode and quotes alone in tags', () => {
    expect(escapeKey('üñí "ok" 🐧')).toBe('üñí\\ "ok"\\ 🐧');
  });
  it('escapes commas and spaces in measurements but not =', () => {
    expect(escapeMeasurement('step.duration ms,x=y')).toBe('step.duration\\ ms\\,x=y');
  });
  it('quotes string fields, escaping quotes and backslashes, newlines as \\n', () => {
    expect(escapeStringField('say "hi" C:\\dir')).toBe('"say \\"hi\\" C:\\\\dir"');
    expect(escapeStringField('a\nb')).toBe('"a\\\\nb"');
    expect(escapeStringField('ünï')).toBe('"ünï"');
  });
});

describe('toLine', () => {
  it('sorts tags, drops empty tags and non-finite fields, writes floats and an ms timestamp', () => {
    expect(toLine('step.duration_ms', { step: 'send message', journey: 'chat', empty: '' }, { count: 3, p95: 12.5, bad: Number.NaN, inf: Infinity, none: undefined }, 1700000000123.4)).toBe(
      'step.duration_ms,journey=chat,step=send\\ message count=3,p95=12.5 1700000000123',
    );
  });
  it('returns undefined when no field survives', () => {
    expect(toLine('m', { a: 'b' }, { x: Number.NaN }, 1)).toBeUndefined();
  });
  it('never contains a raw newline whatever the input', () => {
    const line = toLine('m\nx', { 't\nk': 'v\nv' }, { 'f\n': 'a\nb', g: 1 }, 5) as string;
    expect(line).not.toMatch(/[\r\n]/);
    expect(line).toBe('m\\nx,t\\nk=v\\nv f\\n="a\\\\nb",g=1 5');
  });
  it('writes booleans and string fields', () => {
    expect(toLine('events', { type: 'step_error' }, { message: 'it "broke"', ok: false }, 1)).toBe('events,type=step_error message="it \\"broke\\"",ok=false 1');
  });
});

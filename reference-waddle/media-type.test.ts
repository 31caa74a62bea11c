// The download's Content-Type comes from contentTypeHeader: whatever was stored, the header is
// one Node accepts (so a download can never fail with 500 on it).
import { validateHeaderValue } from 'node:http';
import { describe, expect, it } from 'vitest';
import { contentTypeHeader, isMediaType } from './media-type.ts';

const accepted = ['image/png', 'text/plain; charset=utf-8', 'multipart/form-data; boundary="a b;c"', 'application/vnd.api+json', 'a/b;x=y'];
const refused = ['text/plain\r\nx-injected: 1', 'text/plain\n', 'text/plain\r', 'text/plain; a="\n"', 'no-slash', '/x', 'a/', 'a/b; =v', `${'x'.repeat(125)}/yy`, 'tëxt/plain', '', 'a/b\u0000'];

describe('media types', () => {
  it('accepts media types, refuses CR/LF, control characters and shapeless values', () => {
    for (const value of accepted) expect(isMediaType(value), value).toBe(true);
    for (const value of refused) expect(isMediaType(value), JSON.stringify(value)).toBe(false);
    expect(isMediaType(42)).toBe(false);
  });

  it('turns any stored value into a header value Node accepts', () => {
    for (const value of [...accepted, ...refused]) {
      const header = contentTypeHeader(value);
      expect(() => validateHeaderValue('content-type', header), JSON.stringify(value)).not.toThrow();
    }
    expect(contentTypeHeader('text/plain\r\nx-injected: 1')).toBe('application/octet-stream');
    expect(contentTypeHeader('image/png')).toBe('image/png');
  });
});

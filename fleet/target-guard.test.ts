import { describe, expect, it } from 'vitest';
import { checkTarget, isLoopbackAddress } from './target-guard.ts';

describe('target guard', () => {
  it('knows loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ['10.0.0.1', '192.168.1.1', '8.8.8.8', '::2', 'fe80::1', '128.0.0.1']) expect(isLoopbackAddress(a)).toBe(false);
  });

  it('accepts loopback targets and refuses others unless allowed', async () => {
    expect(await checkTarget('http://127.0.0.1:8080', false)).toEqual([]);
    expect(await checkTarget('http://localhost:8080', false)).toEqual([]);
    expect(await checkTarget('http://[::1]:8080', false)).toEqual([]);
    const refused = await checkTarget('http://10.1.2.3:8080', false);
    expect(refused[0]).toMatch(/not loopback.*--allow-remote-target/);
    expect(await checkTarget('http://10.1.2.3:8080', true)).toEqual([]);
    expect((await checkTarget('ftp://127.0.0.1', false))[0]).toMatch(/http\(s\)/);
  });
});

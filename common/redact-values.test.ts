import { describe, expect, it } from 'vitest';
import { redactSecrets, redactUrl } from './redact.ts';

describe('redactUrl', () => {
  it('masks the password of user:password@ and keeps the user and host', () => {
    expect(redactUrl('http://fleet:hunter2@influx.example:8086/write')).toBe('http://fleet:***@influx.example:8086/write');
  });
  it('masks a lone userinfo (often a token) entirely', () => {
    expect(redactUrl('https://s3cr3t-token@influx:8086')).toBe('https://***@influx:8086');
  });
  it('reads the userinfo up to the last @, so an unencoded @ in a password leaves nothing behind', () => {
    const out = redactUrl('http://fleet:p@ss@word@host:8086/x');
    expect(out).toBe('http://fleet:***@host:8086/x');
    expect(out).not.toMatch(/ss|word/);
  });
  it('masks credential query parameters (InfluxDB 1.x u/p, token, password)', () => {
    expect(redactUrl('http://h/query?u=admin&p=pw1&db=x')).toBe('http://h/query?u=admin&p=***&db=x');
    expect(redactUrl('http://h/?token=abc&password=def#frag')).toBe('http://h/?token=***&password=***#frag');
  });
  it('works on URLs inside a longer message and leaves URLs without credentials alone', () => {
    expect(redactUrl('fetch http://a:b@h1/x failed, then http://h2:8086/ping ok')).toBe('fetch http://a:***@h1/x failed, then http://h2:8086/ping ok');
  });
});

describe('redactSecrets', () => {
  it('removes every known secret and echoed Authorization values', () => {
    const text = 'unauthorized: Token abc123 for "authorization": "Basic Zm9vOmJhcg==" key abc123xyz';
    const out = redactSecrets(text, ['abc123', 'abc123xyz', '']);
    expect(out).not.toMatch(/abc123|Zm9vOmJhcg/);
    expect(out).toContain('***');
  });
  it('removes a very short secret only where it stands alone, so the message stays readable', () => {
    expect(redactSecrets('write failed: token t refused (t)', ['t'])).toBe('write failed: token *** refused (***)');
    expect(redactSecrets('p4ss+ is wrong', ['p4ss+'])).toBe('*** is wrong');
  });
});

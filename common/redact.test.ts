import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRedactor, isSecretName, redact, redactUrl, secretsFromCommandLine } from './redact.ts';

describe('redactUrl', () => {
  it('masks the password of every URL and keeps the user, host and path', () => {
    expect(redactUrl('InfluxDB: writing to http://user:s3cret@127.0.0.1:8086/x (v1)')).toBe('InfluxDB: writing to http://user:***@127.0.0.1:8086/x (v1)');
    expect(redactUrl('a https://u:p@h b wss://v:q@i/')).toBe('a https://u:***@h b wss://v:***@i/');
  });
  it('masks a lone user part, which is often a token', () => {
    expect(redactUrl('git https://ghp_abcdef@github.example/x')).toBe('git https://***@github.example/x');
  });
  it('leaves URLs without credentials and e-mail-like text alone', () => {
    for (const text of ['http://127.0.0.1:8086/write?db=a', 'see http://h/p?x=a@b', 'mail me@example.org', 'http://h:80 and x@y']) {
      expect(redactUrl(text)).toBe(text);
    }
  });
});

describe('createRedactor', () => {
  it('masks given values wherever they turn up, also URL-encoded or decoded', () => {
    const r = createRedactor(['tok/en+1', 'p%40ss', undefined, '']);
    expect(r('Authorization: Token tok/en+1 failed')).toBe('Authorization: Token *** failed');
    expect(r('url ?token=tok%2Fen%2B1')).toBe('url ?token=***');
    expect(r('password p@ss')).toBe('password ***');
  });
  it('masks a secret that contains another one whole', () => {
    expect(redact('x abcdef y abc', ['abc', 'abcdef'])).toBe('x *** y ***');
  });
  it('masks whole values only: a short secret inside a word leaves the word alone (issue 19: "***en" for "token")', () => {
    const r = createRedactor(['tok', 'CANARY2']);
    expect(r('the token tok was refused; tokens: tok,CANARY2.')).toBe('the token *** was refused; tokens: ***,***.');
    expect(r('xCANARY2 is not the value')).toBe('xCANARY2 is not the value');
    // a long value is masked anywhere: no word holds it by chance
    expect(createRedactor(['a1b2c3d4e5f6g7'])('prefixa1b2c3d4e5f6g7suffix')).toBe('prefix***suffix');
  });
  it('does not replace values too short to be secrets (the output would be garbled)', () => {
    expect(redact('a b ab', ['ab'])).toBe('a b ab');
  });
});

describe('secretsFromCommandLine', () => {
  it('finds secret-named options in both forms, URL passwords and WADDLE_FLEET_* secrets', () => {
    const argv = ['run', 'smoke', '--influx-url', 'http://user:CANARY1@127.0.0.1:1', '--influx-token', 'CANARY2', '--influx-password=CANARY4', '--target', 'http://TOKEN5@127.0.0.1:2', '--seed', '7'];
    const env = { WADDLE_FLEET_INFLUX_PASSWORD: 'CANARY3', WADDLE_FLEET_INFLUX_DB: 'waddle', OTHER_PASSWORD: 'not-ours', WADDLE_FLEET_INFLUX_URL: 'http://u:CANARY6@h' };
    expect(secretsFromCommandLine(argv, env).sort()).toEqual(['CANARY1', 'CANARY2', 'CANARY3', 'CANARY4', 'CANARY6', 'TOKEN5']);
  });
  it('names secrets by what they are called', () => {
    for (const n of ['--influx-token', '--influx-password', 'WADDLE_FLEET_INFLUX_TOKEN', '--api-key', 'X_SECRET']) expect(isSecretName(n)).toBe(true);
    for (const n of ['--influx-user', '--influx-url', '--seed', 'WADDLE_FLEET_INFLUX_DB']) expect(isSecretName(n)).toBe(false);
  });
});

describe('redactCommandOutput (a real process)', () => {
  it('keeps secrets from its arguments and environment off stdout and stderr, whatever prints them', () => {
    const script = fileURLToPath(new URL('./redact-output.fixture.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--influx-token', 'CANARY2', '--influx-url', 'http://u:CANARY1@127.0.0.1:9'], {
      env: { ...process.env, WADDLE_FLEET_INFLUX_PASSWORD: 'CANARY3' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const out = r.stdout + r.stderr;
    expect(out).toContain('log: token *** url http://u:***@127.0.0.1:9 password ***');
    expect(out).toContain('error: Error: failed with *** and ***'); // a library's error message, on stderr
    expect(out).toContain('buffer: ***');
    expect(out).not.toMatch(/CANARY/);
  });
});

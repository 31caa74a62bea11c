import { describe, expect, it } from 'vitest';
import { checkAllowedHosts, isUrlAllowed } from './host-guard.ts';

describe('host guard', () => {
  const allowed = ['127.0.0.1', 'localhost:8080'];
  it('lets loopback targets and local schemes through, refuses the rest', () => {
    expect(isUrlAllowed('http://127.0.0.1:5555/x', allowed)).toBe(true);
    expect(isUrlAllowed('ws://localhost:8080/ws', allowed)).toBe(true);
    expect(isUrlAllowed('ws://localhost:8081/ws', allowed)).toBe(false);
    expect(isUrlAllowed('data:text/plain,hi', allowed)).toBe(true);
    expect(isUrlAllowed('http://example.invalid/', allowed)).toBe(false);
    expect(isUrlAllowed('https://10.0.0.1/', allowed)).toBe(false);
    expect(isUrlAllowed('ftp://127.0.0.1/', allowed)).toBe(false);
    expect(isUrlAllowed('not a url', allowed)).toBe(false);
  });
  it('refuses non-loopback allowed hosts unless explicitly allowed', () => {
    expect(() => checkAllowedHosts(['127.0.0.1', '[::1]', 'localhost:3000'])).not.toThrow();
    expect(() => checkAllowedHosts(['127.0.0.1', 'waddle.example.com'])).toThrow(/non-loopback hosts \(waddle.example.com\)/);
    expect(() => checkAllowedHosts(['waddle.example.com'], true)).not.toThrow();
    expect(() => checkAllowedHosts([])).toThrow(/allowedHosts is empty/);
  });
});

import { describe, expect, it } from 'vitest';
import { iceUrlHost, isHostAllowed, isIceUrlAllowed, isLoopbackHost } from './hosts.ts';

describe('hosts', () => {
  it('knows loopback', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['10.0.0.1', 'example.invalid', '128.0.0.1', '::2']) expect(isLoopbackHost(h)).toBe(false);
  });
  it('matches entries with and without port', () => {
    const allowed = ['127.0.0.1', 'localhost:8080', '[::1]:9000'];
    expect(isHostAllowed('127.0.0.1', '1234', allowed)).toBe(true);
    expect(isHostAllowed('localhost', '8080', allowed)).toBe(true);
    expect(isHostAllowed('localhost', '8081', allowed)).toBe(false);
    expect(isHostAllowed('[::1]', '9000', allowed)).toBe(true);
    expect(isHostAllowed('10.0.0.1', '80', allowed)).toBe(false);
  });
  it('parses ICE URLs', () => {
    expect(iceUrlHost('turn:turn.example.com:3478?transport=udp')).toEqual({ host: 'turn.example.com', port: '3478' });
    expect(iceUrlHost('stun:[::1]:19302')).toEqual({ host: '::1', port: '19302' });
    expect(isIceUrlAllowed('stun:127.0.0.1:3478', ['127.0.0.1:8080'])).toBe(true);
    expect(isIceUrlAllowed('stun:stun.l.google.com:19302', ['127.0.0.1'])).toBe(false);
    expect(isIceUrlAllowed('garbage', ['127.0.0.1'])).toBe(false);
  });
});

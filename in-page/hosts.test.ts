import { describe, expect, it } from 'vitest';
import { iceUrlHost, isCandidateAllowed, isHostAllowed, isIceUrlAllowed, isLoopbackHost, parseCandidate } from './hosts.ts';

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
  it('parses ICE candidates and allows only listed addresses', () => {
    const host = 'candidate:2302861929 1 udp 2122194687 192.0.2.2 36297 typ host generation 0 ufrag RhWv network-id 1';
    expect(parseCandidate(host)).toEqual({ protocol: 'udp', address: '192.0.2.2', port: '36297', type: 'host' });
    expect(parseCandidate('a=candidate:1 1 TCP 1518280447 fd00::2 9 typ host tcptype active')).toEqual({ protocol: 'tcp', address: 'fd00::2', port: '9', type: 'host' });
    expect(parseCandidate('candidate:9 1 udp 1 127.0.0.2 5000 typ relay raddr 10.0.0.1 rport 1')?.address).toBe('127.0.0.2');
    expect(parseCandidate('')).toBeUndefined();
    expect(parseCandidate('a=end-of-candidates')).toBeUndefined();
    const addresses = ['127.0.0.1', '192.0.2.2', 'FD00::2'];
    expect(isCandidateAllowed(host, addresses)).toBe(true);
    expect(isCandidateAllowed('candidate:1 1 udp 1 fd00::2 9 typ host', addresses)).toBe(true);
    expect(isCandidateAllowed('candidate:1 1 udp 1 127.0.0.2 9 typ host', addresses)).toBe(false);
    expect(isCandidateAllowed('candidate:1 1 udp 1 0b4d3c2a-1111-2222-3333-444455556666.local 9 typ host', addresses)).toBe(false);
    expect(isCandidateAllowed('not a candidate', addresses)).toBe(false);
  });
});

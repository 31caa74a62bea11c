import { describe, expect, it } from 'vitest';
import { candidateUrl, stripIceServers, stripRemoteCandidates, throughRelay } from './network-guard.ts';

describe('network guard (pure parts)', () => {
  it('drops the remote candidates whose address is not allowed, keeping the rest of the SDP byte for byte', () => {
    const sdp = [
      'v=0',
      'm=audio 9 UDP/TLS/RTP/SAVPF 111',
      'a=candidate:1 1 udp 2122194687 192.0.2.2 36297 typ host generation 0',
      'a=candidate:2 1 udp 2122194687 127.0.0.2 5000 typ host generation 0',
      'a=candidate:3 1 tcp 1518214911 abcd.local 9 typ host tcptype active',
      'a=end-of-candidates',
      '',
    ].join('\r\n');
    const refused: string[] = [];
    const out = stripRemoteCandidates(sdp, ['192.0.2.2'], (_what, url) => refused.push(url));
    expect(out).toBe(['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=candidate:1 1 udp 2122194687 192.0.2.2 36297 typ host generation 0', 'a=end-of-candidates', ''].join('\r\n'));
    expect(refused).toEqual(['udp://127.0.0.2:5000', 'tcp://abcd.local:9']);
    expect(candidateUrl('candidate:1 1 udp 1 fd00::2 9 typ host')).toBe('udp://[fd00::2]:9');
  });
  it('keeps only ICE servers on allowed hosts', () => {
    const refused: string[] = [];
    const out = stripIceServers({ iceServers: [{ urls: ['stun:127.0.0.1:3478', 'stun:127.0.0.2:3478'] }, { urls: 'turn:turn.example.com', username: 'u', credential: 'c' }] }, ['127.0.0.1'], (_w, url) => refused.push(url));
    expect(out).toEqual({ iceServers: [{ urls: ['stun:127.0.0.1:3478'] }] });
    expect(refused).toEqual(['stun:127.0.0.2:3478', 'turn:turn.example.com']);
  });
  it('an impaired user: refused servers are still counted, then the fleet\'s relay is the only server and relay candidates the only ones', () => {
    const refused: string[] = [];
    const relay = { urls: 'turn:127.0.0.1:40000?transport=udp', username: 'vu-0001', credential: 'x' };
    const page = { iceServers: [{ urls: 'stun:127.0.0.1:3478' }, { urls: 'turn:turn.example.com' }], bundlePolicy: 'max-bundle' as const };
    expect(throughRelay(stripIceServers(page, ['127.0.0.1'], (_w, url) => refused.push(url)), relay)).toEqual({ iceServers: [relay], iceTransportPolicy: 'relay', bundlePolicy: 'max-bundle' });
    expect(refused).toEqual(['turn:turn.example.com']);
    expect(throughRelay(page, undefined)).toBe(page); // unimpaired: untouched
  });
});

// The synthetic signalling rules of a protocol voice user, without a server: who offers, what
// completes an exchange, what is skipped and counted, and when remote media counts as there.
import { describe, expect, it } from 'vitest';
import type { VoiceParticipant } from '../../reference-waddle/protocol.ts';
import { classifySignal, syntheticSignal, VoiceCall, type SyntheticSignal } from './voice-call.ts';

const member = (peerId: string, flags: Partial<VoiceParticipant> = {}): VoiceParticipant => ({ peerId, username: `u-${peerId}`, muted: false, camera: false, screen: false, ...flags });

function call(): { voice: VoiceCall; sent: { to: string; data: SyntheticSignal }[] } {
  const sent: { to: string; data: SyntheticSignal }[] = [];
  return { voice: new VoiceCall((to, data) => sent.push({ to, data })), sent };
}

describe('classifySignal', () => {
  it('tells synthetic offers and answers from real SDP and anything else', () => {
    expect(classifySignal(syntheticSignal('offer'))).toBe('synthetic-offer');
    expect(classifySignal(syntheticSignal('answer'))).toBe('synthetic-answer');
    expect(classifySignal({ sdp: { type: 'offer', sdp: 'v=0' } })).toBe('real-offer');
    expect(classifySignal({ sdp: { type: 'answer', sdp: 'v=0' } })).toBe('other');
    expect(classifySignal({ candidate: { candidate: 'candidate:1' } })).toBe('other');
    expect(classifySignal({ kind: 'offer' })).toBe('other'); // not marked synthetic: not ours
    expect(classifySignal(null)).toBe('other');
    expect(syntheticSignal('offer')).not.toHaveProperty('sdp');
  });
});

describe('VoiceCall', () => {
  it('offers to everyone already in the room, and an answer completes the exchange', () => {
    const { voice, sent } = call();
    voice.joined('v1', 'me', [member('a'), member('me'), member('b')]);
    expect(sent.map((s) => [s.to, s.data.kind])).toEqual([['a', 'offer'], ['b', 'offer']]);
    let waited: number | undefined;
    voice.whenMedia('audio', (ms) => (waited = ms));
    voice.signal('a', 'u-a', { sdp: { type: 'answer', sdp: 'v=0' } }); // a real answer is not ours
    expect(waited).toBeUndefined();
    voice.signal('a', 'u-a', syntheticSignal('answer'));
    expect(waited).toBeGreaterThanOrEqual(0);
    expect(voice.stats).toMatchObject({ syntheticOffersSent: 2, exchangesCompleted: 1, otherSignalsSkipped: 1 });
  });

  it('answers a synthetic offer from a newcomer, never a real one, and counts what it skips', () => {
    const { voice, sent } = call();
    voice.joined('v1', 'me', [member('me')]);
    voice.signal('web', 'browser-user', { sdp: { type: 'offer', sdp: 'v=0' } });
    voice.signal('web', 'browser-user', { candidate: { candidate: 'candidate:1' } });
    voice.signal('p2', 'proto-user', syntheticSignal('offer')); // before voice.members names it
    expect(sent).toEqual([{ to: 'p2', data: syntheticSignal('answer') }]);
    expect(voice.stats).toMatchObject({ realOffersSkipped: 1, otherSignalsSkipped: 1, syntheticAnswersSent: 1, exchangesCompleted: 1 });
    expect(voice.describe('audio')).toMatch(/browser-user\(web\) announces audio, browser peer \(its real SDP offer was skipped\); proto-user\(p2\) announces audio, signalled/);
  });

  it('counts remote video and screen only from a signalled peer that announces them, and forgets peers that leave', () => {
    const { voice } = call();
    voice.joined('v1', 'me', [member('me')]);
    voice.signal('p2', 'u-p2', syntheticSignal('offer'));
    const kinds: string[] = [];
    voice.whenMedia('video', () => kinds.push('video'));
    voice.whenMedia('screen', () => kinds.push('screen'));
    voice.members('v1', [member('me'), member('p2', { camera: true }), member('p3', { screen: true })]);
    expect(kinds).toEqual(['video']); // p3 shares its screen but has not signalled
    voice.members('v1', [member('me'), member('p2', { camera: true, screen: true })]);
    expect(kinds).toEqual(['video', 'screen']);
    voice.members('v1', [member('me')]);
    expect(voice.describe('video')).toBe('alone in v1');
    voice.members('other-room', [member('me'), member('p9', { camera: true })]); // not ours: ignored
    expect(voice.describe('video')).toBe('alone in v1');
    voice.left();
    expect(voice.describe('audio')).toBe('this client is not in a voice channel');
  });

  it('stops waiting when asked', () => {
    const { voice } = call();
    voice.joined('v1', 'me', [member('me')]);
    let called = false;
    const stop = voice.whenMedia('audio', () => (called = true));
    stop();
    voice.signal('p2', 'u-p2', syntheticSignal('offer'));
    expect(called).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { markSlides, screenSectionIndexes, slidesMids } from './sdp-marks.ts';

const offer = ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', 'a=sendrecv', 'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=mid:1', 'a=sendrecv', 'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=mid:2', 'a=sendrecv', ''].join('\r\n');

describe('SDP slides marks (RFC 4796)', () => {
  it('marks the screen section right after its a=mid, once, and reads it back', () => {
    const sdp = markSlides(offer, new Set([2]));
    expect(sdp).toContain('a=mid:2\r\na=content:slides\r\na=sendrecv\r\n');
    expect(sdp.split('\r\n').length).toBe(offer.split('\r\n').length + 1);
    expect(markSlides(sdp, new Set([2]))).toBe(sdp); // idempotent: createOffer result then setLocalDescription
    expect([...slidesMids(sdp)]).toEqual(['2']);
    expect(sdp.endsWith('\r\n')).toBe(true);
  });
  it('never marks audio, leaves unmarked SDP as the same string', () => {
    expect(markSlides(offer, new Set([0]))).toBe(offer);
    expect(markSlides(offer, new Set())).toBe(offer);
    expect([...slidesMids(offer)]).toEqual([]);
  });
  it('marks a section without a=mid as its last line (LF SDP too)', () => {
    const lf = 'v=0\nm=video 9 x 96\na=sendonly\nm=video 9 x 97\na=sendonly\n';
    expect(markSlides(lf, new Set([0]))).toBe('v=0\nm=video 9 x 96\na=sendonly\na=content:slides\nm=video 9 x 97\na=sendonly\n');
    expect(markSlides(lf, new Set([1]))).toBe('v=0\nm=video 9 x 96\na=sendonly\nm=video 9 x 97\na=sendonly\na=content:slides\n');
  });
  it('finds screen sections by mid, and by order for transceivers without one (a first offer)', () => {
    expect([...screenSectionIndexes(offer, [{ mid: '0', screen: false }, { mid: '1', screen: false }, { mid: '2', screen: true }])]).toEqual([2]);
    expect([...screenSectionIndexes(offer, [{ mid: null, screen: false }, { mid: null, screen: true }, { mid: null, screen: false }])]).toEqual([1]);
    // two negotiated, one new (mid not yet assigned): the new one is the section no transceiver owns
    expect([...screenSectionIndexes(offer, [{ mid: '0', screen: false }, { mid: '1', screen: false }, { mid: null, screen: true }])]).toEqual([2]);
    expect([...screenSectionIndexes(offer, [{ mid: '0', screen: false }, { mid: null, screen: true, stopped: true }, { mid: null, screen: false }])]).toEqual([]);
  });
});

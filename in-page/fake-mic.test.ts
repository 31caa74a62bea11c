import { describe, expect, it } from 'vitest';
import { withoutProcessing } from './fake-mic.ts';

describe('withoutProcessing (the fake mic without echo cancellation, noise suppression, AGC)', () => {
  it('turns audio: true into a raw-track request', () => {
    expect(withoutProcessing(true)).toEqual({ echoCancellation: false, noiseSuppression: false, autoGainControl: false });
  });
  it("keeps the app's other audio constraints and overrides the processing ones", () => {
    expect(withoutProcessing({ channelCount: 1, echoCancellation: true })).toEqual({ channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false });
  });
  it('leaves a request without audio alone', () => {
    expect(withoutProcessing(false)).toBe(false);
    expect(withoutProcessing(undefined)).toBeUndefined();
  });
});

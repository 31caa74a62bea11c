// Audio MOS estimate from network figures: the ITU-T G.107 E-model, simplified.
// Source: ITU-T G.107 (06/2015) §7 and the widely used simplification of Cole & Rosenbluth,
// "Voice over IP performance monitoring", ACM SIGCOMM CCR 31(2), 2001:
//   R   = 93.2 − Id(d) − Ie_eff(Ppl)              (Ro − Is = 93.2 for default G.107 values)
//   Id  = 0.024·d + 0.11·(d − 177.3)·H(d − 177.3)  d = one-way mouth-to-ear delay, ms; H = step
//   Ie_eff = Ie + (95 − Ie) · Ppl / (Ppl / BurstR + Bpl)   (G.107 eq. 7-29), Ppl in %
//   MOS = 1 + 0.035·R + R·(R − 60)·(100 − R)·7e-6 for 0 < R < 100 (1 below, 4.5 above)
// Opus has no G.113 Appendix I entry: we take Ie = 0 (wideband Opus at ≥ 24 kb/s is
// transparent at 0 loss) and Bpl = 10 (its PLC is more robust than G.711+PLC's 4.3; a
// conservative figure from the literature), BurstR = 1 (random loss).
// One-way delay d = RTT/2 + jitter buffer delay (or 2 × jitter when it is unknown) + 10 ms packetisation.

export const OPUS_IE = 0;
export const OPUS_BPL = 10;

export interface EModelInput {
  readonly rttMs: number;
  readonly lossPct: number;
  readonly jitterMs?: number;
  readonly jitterBufferMs?: number;
}

export function oneWayDelayMs(input: EModelInput): number {
  const buffer = input.jitterBufferMs ?? 2 * (input.jitterMs ?? 0);
  return Math.max(0, input.rttMs) / 2 + Math.max(0, buffer) + 10;
}

export function rFactor(input: EModelInput): number {
  const d = oneWayDelayMs(input);
  const id = 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0);
  const ppl = Math.min(100, Math.max(0, input.lossPct));
  const ieEff = OPUS_IE + ((95 - OPUS_IE) * ppl) / (ppl / 1 + OPUS_BPL);
  return 93.2 - id - ieEff;
}

export function mosFromR(r: number): number {
  if (!Number.isFinite(r) || r <= 0) return 1;
  if (r >= 100) return 4.5;
  return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}

/** MOS 1..4.5 from RTT, loss and jitter. */
export function estimateMos(input: EModelInput): number {
  return Math.min(4.5, Math.max(1, mosFromR(rFactor(input))));
}

// The plan as data (DESIGN.md style 3 and 6): one zod schema gives the validation; the Plan
// interface below is what plan files are typed against. Durations are strings with a unit.
// Semantic rules that need more than one field (users add up, journeys exist, params match
// the journey's defaults) live in validate.ts, so every problem is reported at once.
import type { z as Z } from 'zod';
import { z } from '../common/zod.ts';
import type { Driver } from '../clients/driver.ts';
import type { Journey } from '../journeys/types.ts';
import type { NetworkChoice, NetworkProfile } from '../network/profile.ts';
import type { CustomMetricName, CustomMetricSpec } from '../metrics/catalogue.ts';
import { tryParseDurationMs } from './duration.ts';

/** A journey of any params (definePlan accepts each with its own P). */
export type AnyJourney = Journey<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** '500ms', '30s', '5m', '2h', '1m30s' */
export type Duration = string;

export interface MediaSize {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
}

export interface Scenario {
  /** a built-in journey's name (journeys/registry.ts) or one of the plan's own `journeys` */
  readonly journey: string;
  /** 'browser' (default), 'protocol', or one of the plan's own `drivers` */
  readonly driver?: string;
  /** exact users of this journey in the phase; all scenarios of a phase give users, or all give weight */
  readonly users?: number;
  /** share of the phase's targetUsers (split by largest remainder) */
  readonly weight?: number;
  /** overrides of the journey's defaults */
  readonly params?: Readonly<Record<string, unknown>>;
  /** each user's network: a preset ('4g'), a profile, or shares ({ '4g': 0.7, '3g': 0.3 }); network/README.md */
  readonly network?: NetworkChoice;
}

export interface Phase {
  readonly name: string;
  /** concurrent users at the end of this phase's ramp */
  readonly targetUsers: number;
  /** ramp linearly from the previous phase's counts to this phase's over this long */
  readonly rampUp: Duration;
  /** then hold for this long */
  readonly duration: Duration;
  readonly scenarios: readonly Scenario[];
}

export interface ThresholdSpec {
  /** e.g. 'p(95)<1000', 'rate<0.01', 'count>0' (grammar: metrics/thresholds.ts) */
  readonly threshold: string;
  /** stop the run as soon as this threshold fails */
  readonly abortOnFail?: boolean;
  /** do not judge abortOnFail before this much of the run has passed */
  readonly delayAbortEval?: Duration;
  /** a threshold on a metric that got no sample passes instead of failing */
  readonly optional?: boolean;
}

export interface Plan {
  /** letters, digits, '.', '_' or '-'; it goes into run ids and folder names */
  readonly name: string;
  readonly description?: string;
  readonly phases: readonly Phase[];
  /** metric name (metrics/catalogue.ts) → expressions that must all hold */
  readonly thresholds?: Readonly<Record<string, readonly (string | ThresholdSpec)[]>>;
  /** the plan's own metrics (`custom.…`), which its journeys record and its thresholds may judge (metrics/custom-metrics.ts) */
  readonly metrics?: Readonly<Record<CustomMetricName, CustomMetricSpec>>;
  /** fake media sizes; override every journey's own */
  readonly media?: { readonly camera?: MediaSize; readonly screen?: MediaSize };
  readonly limits?: {
    /** ceiling on concurrent users of the whole (unsharded, scaled) plan */
    readonly maxUsers?: number;
    /** ceiling on user starts per second (per shard) */
    readonly maxArrivalsPerSecond?: number;
  };
  /** how long a user asked to stop may take to finish its iteration (default '30s') */
  readonly gracefulStop?: Duration;
  /** multiplies think times (0 = no think time); default 1 */
  readonly thinkTimeScale?: number;
  /** the plan's own journeys (defineJourney values); scenarios name them like built-in ones */
  readonly journeys?: readonly AnyJourney[];
  /** the plan's own drivers (defineDriver values); scenarios name them with `driver` */
  readonly drivers?: readonly Driver[];
  /**
   * Hybrid load: of the users the plan gives to protocol-driver scenarios, run this share (at
   * least `min`, at most `max`) as real browser users instead, per phase, spread over those
   * scenarios. Protocol users make the load; the browser sample measures what users feel.
   */
  readonly browserSample?: { readonly share: number; readonly min?: number; readonly max?: number; readonly driver?: string };
  /**
   * the built-in error gate (metrics/default-gate.ts): failed iterations and failed steps < 1% per
   * journey and step, and every journey completes an iteration. Default true; false turns it off
   * (the report then says the run was not gated by it).
   */
  readonly defaultThresholds?: boolean;
  /** the plan's own network profiles, which scenarios name like presets (network/README.md) */
  readonly networks?: readonly NetworkProfile[];
}

// One message per field, worded "expected …"; validate.ts appends "got …" and where.
const duration = z.custom<Duration>((value) => tryParseDurationMs(value) !== undefined, {
  error: "expected a duration like '500ms', '30s', '5m' or '2h'",
});
const wholeNumber = (what: string) =>
  z.custom<number>((value) => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0, { error: `expected ${what}` });
const positiveWhole = (what: string) =>
  z.custom<number>((value) => typeof value === 'number' && Number.isSafeInteger(value) && value >= 1, { error: `expected ${what}` });
const positiveNumber = (what: string) =>
  z.custom<number>((value) => typeof value === 'number' && Number.isFinite(value) && value > 0, { error: `expected ${what}` });
const text = (what: string) =>
  z.custom<string>((value) => typeof value === 'string' && value.trim() !== '', { error: `expected ${what}` });

const mediaSize = z.strictObject(
  {
    width: positiveWhole('a width in pixels, a whole number ≥ 1'),
    height: positiveWhole('a height in pixels, a whole number ≥ 1'),
    fps: positiveWhole('frames per second, a whole number ≥ 1'),
  },
  { error: 'expected { width, height, fps }' },
);

const scenario = z.strictObject(
  {
    journey: text('a journey name'),
    driver: text("a driver name like 'browser' or 'protocol'").optional(),
    users: wholeNumber('a whole number of users ≥ 0').optional(),
    weight: positiveNumber('a weight > 0').optional(),
    params: z.record(z.string(), z.unknown(), { error: 'expected an object of journey parameters' }).optional(),
    // checked in full by network/validate.ts (did-you-mean on names and keys)
    network: z.custom<NetworkChoice>(() => true).optional(),
  },
  { error: "expected a scenario like { journey: 'chatMessaging', users: 10 }" },
);

const phase = z.strictObject(
  {
    name: text('a phase name'),
    targetUsers: wholeNumber('a whole number of users ≥ 0'),
    rampUp: duration,
    duration,
    scenarios: z
      .array(scenario, { error: 'expected a list of scenarios' })
      .min(1, { error: 'expected at least one scenario' }),
  },
  { error: "expected a phase like { name, targetUsers, rampUp: '30s', duration: '5m', scenarios: [...] }" },
);

const thresholdSpec = z.strictObject({
  threshold: text("a threshold expression like 'p(95)<1000'"),
  abortOnFail: z.boolean({ error: 'expected true or false' }).optional(),
  delayAbortEval: duration.optional(),
  optional: z.boolean({ error: 'expected true or false' }).optional(),
});

const thresholdItem = z.union([text("a threshold expression like 'p(95)<1000'"), thresholdSpec], {
  error: "expected a threshold expression like 'p(95)<1000' or { threshold, abortOnFail?, delayAbortEval? }",
});

export const planSchema = z.strictObject(
  {
    name: z.custom<string>((value) => typeof value === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value), {
      error: "expected a plan name of letters, digits, '.', '_' or '-' (it goes into run folder names)",
    }),
    description: z.string({ error: 'expected a text' }).optional(),
    phases: z.array(phase, { error: 'expected a list of phases' }).min(1, { error: 'expected at least one phase' }),
    thresholds: z
      .record(z.string(), z.array(thresholdItem, { error: "expected a list like ['p(95)<1000']" }), {
        error: "expected an object like { 'step.duration_ms': ['p(95)<2000'] }",
      })
      .optional(),
    // checked in detail by metrics/custom-metrics.ts (validate.ts), which declares them
    metrics: z.custom<Readonly<Record<CustomMetricName, CustomMetricSpec>>>((v) => v !== null && typeof v === 'object', { error: "expected an object like { 'custom.checkout_ms': { kind: 'trend', unit: 'ms', meaning: '…' } }" }).optional(),
    media: z
      .strictObject({ camera: mediaSize.optional(), screen: mediaSize.optional() }, { error: 'expected { camera?, screen? }' })
      .optional(),
    limits: z
      .strictObject(
        {
          maxUsers: positiveWhole('a whole number of users ≥ 1').optional(),
          maxArrivalsPerSecond: positiveNumber('user starts per second, > 0').optional(),
        },
        { error: 'expected { maxUsers?, maxArrivalsPerSecond? }' },
      )
      .optional(),
    gracefulStop: duration.optional(),
    journeys: z.array(z.custom<AnyJourney>((v) => v !== null && typeof v === 'object', { error: 'expected a journey made with defineJourney({ name, run })' }), { error: 'expected a list of journeys made with defineJourney' }).optional(),
    drivers: z.array(z.custom<Driver>((v) => v !== null && typeof v === 'object', { error: 'expected a driver made with defineDriver({ name, kind, capabilities, create })' }), { error: 'expected a list of drivers made with defineDriver' }).optional(),
    browserSample: z
      .strictObject(
        {
          share: z.custom<number>((v) => typeof v === 'number' && v >= 0 && v <= 1, { error: 'expected a share from 0 to 1, like 0.005 (0.5%)' }),
          min: z.custom<number>((v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0, { error: 'expected a whole number of users ≥ 0' }).optional(),
          max: z.custom<number>((v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0, { error: 'expected a whole number of users ≥ 0' }).optional(),
          driver: text('a browser driver name').optional(),
        },
        { error: "expected { share: 0.005, min?: 8, max?, driver?: 'browser' }" },
      )
      .optional(),
    networks: z.custom<readonly NetworkProfile[]>(() => true).optional(),
    defaultThresholds: z.boolean({ error: 'expected true or false (false turns off the built-in error gate)' }).optional(),
    thinkTimeScale: z
      .custom<number>((value) => typeof value === 'number' && Number.isFinite(value) && value >= 0, {
        error: 'expected a number ≥ 0 (1 = think times as written, 0 = none)',
      })
      .optional(),
  },
  { error: 'expected a plan object { name, phases, ... }' },
);

// Compile-time check that the schema's output fits the Plan interface.
const _planFits = (parsed: Z.infer<typeof planSchema>): Plan => parsed;
void _planFits;

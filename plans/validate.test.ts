import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPlan, shippedPlans } from './index.ts';
import { validatePlan } from './validate.ts';
import { parseThresholds } from '../metrics/thresholds.ts';

const good = {
  name: 'ok',
  phases: [{ name: 'one', targetUsers: 3, rampUp: '1s', duration: '2s', scenarios: [{ journey: 'chatMessaging', users: 3 }] }],
};

function problemsOf(input: unknown): string[] {
  const result = validatePlan(input, 'test.ts');
  if (result.ok) throw new Error('expected problems, the plan was accepted');
  return result.problems;
}

describe('validatePlan', () => {
  it('accepts every shipped plan', () => {
    for (const [name, plan] of Object.entries(shippedPlans)) {
      const result = validatePlan(plan, name);
      expect(result.ok ? [] : result.problems).toEqual([]);
    }
  });

  it('accepts a minimal plan and returns it', () => {
    const result = validatePlan(good, 'ok.ts');
    expect(result).toEqual({ ok: true, plan: good });
  });

  it("reports a bare number as a duration with where, what and what was got", () => {
    const plan = { ...good, phases: [good.phases[0], { ...good.phases[0], name: 'two', rampUp: 30 }] };
    expect(problemsOf(plan)).toEqual(["test.ts: phases[1].rampUp: expected a duration like '500ms', '30s', '5m' or '2h', got 30"]);
  });

  it('reports every problem at once, each with its path', () => {
    const problems = problemsOf({
      name: 'bad name',
      phases: [
        {
          name: 'a',
          targetUsers: 3,
          rampup: '1s',
          rampUp: '-1s',
          duration: 'NaN',
          scenarios: [
            { journey: 'chatMesaging', users: 2 },
            { journey: 'voiceCall', users: 2, params: { talkMS: 5, roomSize: 'six' } },
          ],
        },
        { name: 'a', targetUsers: -1, rampUp: '1s', duration: '1s', scenarios: [] },
      ],
      thresholds: { 'chat.delivery_ms': ['p(95)<1000', { threshold: 'p(99)<2000', abortOnfail: true }, 7] },
      gracefulstop: '10s',
      thinkTimeScale: -1,
    });
    const expectations = [
      /^test\.ts: name: expected a plan name/,
      /^test\.ts: phases\[0\]\.rampUp: .* got '-1s'$/,
      /^test\.ts: phases\[0\]\.duration: .* got 'NaN'$/,
      /^test\.ts: phases\[0\]\.rampup: unknown key; did you mean 'rampUp'\?/,
      /^test\.ts: phases\[0\]\.scenarios\[0\]\.journey: unknown journey 'chatMesaging'; did you mean 'chatMessaging'\? known journeys: voiceCall/,
      /^test\.ts: phases\[0\]\.scenarios\[1\]\.params\.talkMS: unknown parameter of voiceCall; did you mean 'talkMs'\?/,
      /^test\.ts: phases\[0\]\.scenarios\[1\]\.params\.roomSize: expected a number like 6 \(the default\), got 'six'$/,
      /^test\.ts: phases\[0\]\.scenarios: users add up to 4 but targetUsers is 3/,
      /^test\.ts: phases\[1\]\.name: 'a' is also the name of phases\[0\]/,
      /^test\.ts: phases\[1\]\.targetUsers: expected a whole number of users ≥ 0, got -1$/,
      /^test\.ts: phases\[1\]\.scenarios: expected at least one scenario, got \[\]$/,
      /^test\.ts: thresholds\.chat\.delivery_ms\[1\]\.abortOnfail: unknown key; did you mean 'abortOnFail'\?/,
      /^test\.ts: thresholds\.chat\.delivery_ms\[2\]: expected a threshold expression .* got 7$/,
      /^test\.ts: gracefulstop: unknown key; did you mean 'gracefulStop'\?/,
      /^test\.ts: thinkTimeScale: expected a number ≥ 0/,
    ];
    for (const pattern of expectations) expect(problems.some((p) => pattern.test(p)), `${pattern} in\n${problems.join('\n')}`).toBe(true);
    expect(problems).toHaveLength(expectations.length);
  });
});

describe('validatePlan: scenarios and the plan itself', () => {
  it('requires users or weight, not both, and not mixed within a phase', () => {
    const problems = problemsOf({
      ...good,
      phases: [
        {
          ...good.phases[0],
          scenarios: [
            { journey: 'chatMessaging', users: 1, weight: 1 },
            { journey: 'voiceCall' },
            { journey: 'videoCall', weight: 2 },
            { journey: 'fileUpload', users: 2 },
          ],
        },
      ],
    });
    expect(problems).toContain('test.ts: phases[0].scenarios[0]: give either users or weight, not both');
    expect(problems).toContain('test.ts: phases[0].scenarios[1]: give users (an exact count) or weight (a share of targetUsers)');
    expect(problems.some((p) => p.includes('mixes users and weight'))).toBe(true);
  });

  it('rejects the same journey twice in a phase and a missing key', () => {
    const problems = problemsOf({
      name: 'dup',
      phases: [{ name: 'p', targetUsers: 2, rampUp: '1s', scenarios: [{ journey: 'voiceCall', users: 1 }, { journey: 'voiceCall', users: 1 }] }],
    });
    expect(problems).toContain("test.ts: phases[0].duration: expected a duration like '500ms', '30s', '5m' or '2h', got nothing (the key is missing)");
    expect(problems.some((p) => p.includes("phases[0].scenarios[1].journey: 'voiceCall' already appears in phases[0].scenarios[0]"))).toBe(true);
  });

  it('says what it got for a non-object plan', () => {
    expect(problemsOf(42)).toEqual(['test.ts: (plan): expected a plan object { name, phases, ... }, got 42']);
  });
});

describe('loadPlan', () => {
  const dir = mkdtempSync(join(tmpdir(), 'waddle-plan-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a shipped plan by name', async () => {
    const result = await loadPlan('smoke');
    expect(result.ok && result.plan.name).toBe('smoke');
  });

  it('loads a .json plan and a .mjs plan (default or `plan` export)', async () => {
    writeFileSync(join(dir, 'mine.json'), JSON.stringify(good));
    writeFileSync(join(dir, 'mine.mjs'), `export const plan = ${JSON.stringify({ ...good, name: 'fromjs' })};`);
    const json = await loadPlan(join(dir, 'mine.json'));
    const js = await loadPlan(join(dir, 'mine.mjs'));
    expect(json.ok && json.plan.name).toBe('ok');
    expect(js.ok && js.plan.name).toBe('fromjs');
  });

  it('validates a user plan file and names the file in each problem', async () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ ...good, phases: [{ ...good.phases[0], rampUp: 30 }] }));
    const result = await loadPlan(path);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems[0]).toMatch(new RegExp(`^${path.replace(/[.]/g, '\\.')}: phases\\[0\\]\\.rampUp: expected a duration`));
  });

  it('explains an unknown name and a missing file', async () => {
    const unknown = await loadPlan('smokey');
    expect(!unknown.ok && unknown.problems[0]).toMatch(/not a shipped plan .*did you mean 'smoke'\? shipped plans: smoke, baseline, stress, spike, soak/);
    const missing = await loadPlan(join(dir, 'nope.ts'));
    expect(!missing.ok && missing.problems[0]).toMatch(/could not load the plan: no such file/);
  });
});

describe('shipped plans', () => {
  it('have thresholds that parse against their own metrics and phases, and spike says when it must have recovered', () => {
    for (const [name, plan] of Object.entries(shippedPlans)) {
      const parsed = parseThresholds(plan.thresholds ?? {}, plan.phases.map((p) => p.name));
      expect(parsed.problems, name).toEqual([]);
    }
    const spike = parseThresholds(shippedPlans.spike!.thresholds, shippedPlans.spike!.phases.map((p) => p.name));
    expect(spike.thresholds.filter((t) => t.phase === 'Recovered').map((t) => t.metric)).toContain('journey.errors');
    const recovery = shippedPlans.spike!.phases.find((p) => p.name === 'Recovery')!;
    expect([recovery.rampUp, recovery.duration]).toEqual(['1m', '1m']); // Recovered starts 2 minutes after the spike ends
  });
});

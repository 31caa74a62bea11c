// A user's plan file (outside the repo, importing 'waddle-fleet'): chat users with the given thresholds.
export function chatPlan(name: string, thresholds: Record<string, unknown>, durationS = 12, users = 2, intervalMs = 1000): string {
  return `import { definePlan } from 'waddle-fleet';
export default definePlan({
  name: ${JSON.stringify(name)},
  phases: [{ name: 'steady', targetUsers: ${users}, rampUp: '1s', duration: '${durationS}s',
    scenarios: [{ journey: 'chatMessaging', users: ${users}, params: { count: 4, intervalMs: ${intervalMs}, receiveMs: 2000 } }] }],
  thresholds: ${JSON.stringify(thresholds)},
  gracefulStop: '20s',
});
`;
}

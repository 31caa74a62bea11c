import { randomBytes } from 'node:crypto';

/** `YYYYMMDD-HHMMSS-<plan>-<4 hex>` (+ `-shard<i>of<n>`), sortable and safe as a folder name. */
export function makeRunId(planName: string, shard: { index: number; count: number } | undefined, now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}-${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  const safePlan = planName.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 40) || 'plan';
  const suffix = shard && shard.count > 1 ? `-shard${shard.index}of${shard.count}` : '';
  return `${stamp}-${safePlan}-${randomBytes(2).toString('hex')}${suffix}`;
}

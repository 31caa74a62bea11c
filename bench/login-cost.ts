// CPU per protocol-user login: fetch (how ./clients/protocol/http-api.ts asks) against node:http with
// a keep-alive agent (how ./clients/protocol/http-login.ts asks), 20 at a time, against a running
// reference Waddle. A ramp of 12,000 users in 2 minutes logs in 100 times a second (issue 18 item 4).
//
//   npm run waddle -- --port 8090 &   npx tsx bench/login-cost.ts http://127.0.0.1:8090 [logins per round, 1000]
import http from 'node:http';
import { login } from '../clients/protocol/http-login.ts';

const base = process.argv[2];
if (!base || base === '--help') {
  console.log('npx tsx bench/login-cost.ts <reference Waddle base URL> [logins per round]: CPU-µs per login, fetch vs node:http');
  process.exit(base ? 0 : 2);
}
const n = Number(process.argv[3] ?? 1000);

async function viaFetch(username: string): Promise<unknown> {
  const res = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username }), signal: AbortSignal.timeout(15_000) });
  return res.json();
}
const viaHttp = (username: string): Promise<string> => login({ baseUrl: base, label: 'bench', timeoutMs: 15_000 }, username, undefined);

async function cpuPerLogin(fn: (username: string) => Promise<unknown>, count: number, prefix: string): Promise<number> {
  const t0 = process.cpuUsage();
  for (let i = 0; i < count; i += 20) await Promise.all(Array.from({ length: Math.min(20, count - i) }, (_, k) => fn(`${prefix}${i + k}`)));
  const used = process.cpuUsage(t0);
  return (used.user + used.system) / count;
}

await cpuPerLogin(viaFetch, 200, 'warm-f');
await cpuPerLogin(viaHttp, 200, 'warm-h');
for (let round = 1; round <= 3; round++) {
  const f = await cpuPerLogin(viaFetch, n, `f${round}-`);
  const h = await cpuPerLogin(viaHttp, n, `h${round}-`);
  console.log(`round ${round}: fetch ${f.toFixed(0)} CPU-µs per login, node:http ${h.toFixed(0)} (×${(f / h).toFixed(1)})`);
}
http.globalAgent.destroy();
process.exit(0);

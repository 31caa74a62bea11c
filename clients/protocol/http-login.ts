// POST /api/login through node:http rather than fetch: every protocol user logs in once (and again
// after a lost connection), so a ramp of 12,000 users over 2 minutes logs in 100 times a second.
// Measured on this machine against the reference Waddle: fetch ~500–900 CPU-µs a login, node:http
// ~110–200 (issue 18 item 4; the ramp's profile had login through fetch at ~9% of the busy time).
// Failures keep the words the fleet classifies by, as ./http-api.ts's: "HTTP 5xx", ECONNREFUSED /
// ECONNRESET, "timed out".
import http from 'node:http';
import type { LoginResponse } from '../../reference-waddle/protocol.ts';
import { crossed } from '../../network/message-link.ts';
import { HttpApiError, type HttpApi } from './http-api.ts';

export type { HttpApi };

/**
 * Connections kept between logins, as fetch keeps them. No cap on sockets (fetch has none either): a
 * cap would queue logins behind a slow target, and the queue's wait would count against the timeout.
 */
const agent = new http.Agent({ keepAlive: true });

/** POST /api/login; stores the token on the api for the requests that follow. */
export async function login(api: HttpApi, username: string, password: string | undefined): Promise<string> {
  const body = JSON.stringify({ username, ...(password !== undefined ? { password } : {}) });
  if (api.network) await crossed(api.network.up, 300 + body.length);
  const { status, text } = await post(api, '/api/login', body);
  if (api.network) await crossed(api.network.down, 300 + text.length);
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  if (status < 200 || status > 299) {
    const detail = parsed ? `${String(parsed.error)}: ${String(parsed.message)}` : text.slice(0, 300);
    throw new HttpApiError(`${api.label}: login failed: HTTP ${status} ${detail}`, status, parsed);
  }
  const token = (parsed as LoginResponse | undefined)?.token;
  if (typeof token !== 'string') throw new HttpApiError(`${api.label}: login answered without a token`);
  api.token = token;
  return token;
}

/**
 * A kept connection the server closed while idle (its keep-alive timeout: 5 s on Node's server)
 * can be picked for the next login just as the close arrives: the request never reached the
 * server, and Node's documented answer is to send it again (req.reusedSocket). Seen as 1 in 4
 * failed logins of the volume plan, whose uploaders log in again after minutes-long uploads.
 */
async function post(api: HttpApi, path: string, body: string): Promise<{ status: number; text: string }> {
  try {
    return await postOnce(api, path, body);
  } catch (error) {
    if (!(error instanceof StaleSocketError)) throw error;
    return await postOnce(api, path, body);
  }
}

class StaleSocketError extends HttpApiError {}

function postOnce(api: HttpApi, path: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${api.baseUrl}${path}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (error) => fail(error));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() });
      });
    });
    const fail = (error: Error & { code?: string }): void => {
      clearTimeout(timer);
      req.destroy();
      const stale = req.reusedSocket && (error.code === 'ECONNRESET' || error.message === 'socket hang up');
      reject(new (stale ? StaleSocketError : HttpApiError)(`${api.label}: login failed: ${error.message}${error.code && !error.message.includes(error.code) ? ` (${error.code})` : ''} (${api.baseUrl})`));
    };
    const timer = setTimeout(() => {
      req.destroy();
      reject(new HttpApiError(`${api.label}: timed out after ${api.timeoutMs} ms waiting for login (${api.baseUrl})`));
    }, api.timeoutMs);
    req.on('error', fail);
    req.end(body);
  });
}

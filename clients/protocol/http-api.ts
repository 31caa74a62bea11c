// The reference Waddle's small HTTP API (uploads, attachments; login: ./http-login.ts) through Node's fetch,
// every request bounded by a timeout. Failures become Errors that say what was asked and keep
// the words the fleet classifies by: "HTTP 5xx" (target_error), ECONNREFUSED/ECONNRESET
// (network), "timed out" (timeout).
import { crossed, type MessageLink } from '../../network/message-link.ts';
export class HttpApiError extends Error {
  constructor(
    message: string,
    /** the HTTP status, when the server answered */
    readonly status?: number,
    /** the body of a refused request, when it was JSON */
    readonly body?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface HttpApi {
  readonly baseUrl: string;
  readonly label: string;
  readonly timeoutMs: number;
  token?: string;
  /** the user's network: each request crosses its up link, each answer its down link (network/message-link.ts) */
  readonly network?: MessageLink;
}

export interface RequestOptions {
  readonly method: string;
  readonly path: string;
  readonly what: string;
  readonly json?: unknown;
  readonly bytes?: Uint8Array;
  readonly timeoutMs?: number;
}

/** One request; resolves with the Response (status 2xx), its body unread. */
export async function request(api: HttpApi, options: RequestOptions, signal?: AbortSignal): Promise<Response> {
  const timeoutMs = options.timeoutMs ?? api.timeoutMs;
  const headers: Record<string, string> = {};
  if (api.token !== undefined) headers.authorization = `Bearer ${api.token}`;
  let body: string | Uint8Array | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.bytes !== undefined) {
    headers['content-type'] = 'application/octet-stream';
    body = options.bytes;
  }
  if (api.network) await crossed(api.network.up, 300 + (typeof body === 'string' ? body.length : (body?.byteLength ?? 0)));
  let res: Response;
  try {
    res = await fetch(`${api.baseUrl}${options.path}`, { method: options.method, headers, body, signal: signal ?? AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw fetchFailure(api, options.what, timeoutMs, error);
  }
  // the answer's headers and body cross the down link before the caller sees them
  if (api.network) await crossed(api.network.down, 300 + Number(res.headers.get('content-length') ?? 0));
  if (res.ok) return res;
  const text = await res.text().catch(() => '');
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  const detail = parsed ? `${String(parsed.error)}: ${String(parsed.message)}` : text.slice(0, 300);
  throw new HttpApiError(`${api.label}: ${options.what} failed: HTTP ${res.status} ${detail}`, res.status, parsed);
}

export async function requestJson<T>(api: HttpApi, options: RequestOptions): Promise<T> {
  const res = await request(api, options);
  try {
    return (await res.json()) as T;
  } catch (error) {
    throw fetchFailure(api, `${options.what} (reading its JSON answer)`, options.timeoutMs ?? api.timeoutMs, error);
  }
}

/** A fetch that did not get an HTTP answer: timed out, refused, reset. */
export function fetchFailure(api: HttpApi, what: string, timeoutMs: number, error: unknown): Error {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new HttpApiError(`${api.label}: timed out after ${timeoutMs} ms waiting for ${what} (${api.baseUrl})`);
  }
  // undici says "fetch failed" and puts the socket error (connect ECONNREFUSED …) in cause
  const cause = (error as { cause?: { message?: string; code?: string } } | null)?.cause;
  const why = [error instanceof Error ? error.message : String(error), cause?.message ?? cause?.code].filter(Boolean).join(': ');
  return new HttpApiError(`${api.label}: ${what} failed: ${why} (${api.baseUrl})`);
}

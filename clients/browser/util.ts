// Small helpers of the browser driver: a bound on promises (page.evaluate has none of its own),
// handler isolation, CSS attribute escaping and file hashing.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message())), timeoutMs);
  });
  // the abandoned evaluate may still reject later (page closed): do not let it go unhandled
  promise.catch(() => {});
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // a handler's bug must not break the driver's event stream
  }
}

/** CSS attribute-value escaping for values inside double quotes. */
export function cssEscape(value: string): string {
  return value.replace(/["\\]/g, '\\$&');
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

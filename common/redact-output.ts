// Defence in depth for the terminal: every write to stdout and stderr of this process goes
// through a redactor, so no code path — ours, a library's error message, a stack trace — can print
// a token, a password or URL credentials, however it formats them. Files (events, summary,
// report, JUnit, plan) are not covered: the code that writes them redacts at the source.
import { createRedactor, secretsFromCommandLine } from './redact.ts';

type Write = typeof process.stdout.write;

/**
 * Wraps process.stdout.write and process.stderr.write with the redactor. Returns a function that
 * restores them. Text is redacted per write: console.log and our progress printer write whole
 * lines, so a secret is never split across two writes.
 */
export function redactProcessOutput(redactor: (text: string) => string): () => void {
  const restore = [process.stdout, process.stderr].map((stream) => {
    const original = stream.write;
    const wrapped = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : undefined;
      const out = text === undefined ? chunk : redactor(text);
      return (original as (...a: unknown[]) => boolean).call(this, out, ...rest);
    } as Write;
    stream.write = wrapped;
    return () => {
      if (stream.write === wrapped) stream.write = original;
    };
  });
  return () => restore.forEach((r) => r());
}

/** The usual set-up for the command: secrets from its own arguments and WADDLE_FLEET_* variables. */
export function redactCommandOutput(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): () => void {
  return redactProcessOutput(createRedactor(secretsFromCommandLine(argv, env)));
}

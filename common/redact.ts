// Secrets never reach output (RELIABILITY.md: tokens and passwords never appear in logs, reports,
// tags or traces). Two kinds of redaction:
//   - structural: the userinfo of a URL (scheme://user:password@host → scheme://user:***@host;
//     scheme://token@host → scheme://***@host) and credential query parameters, whatever they hold;
//   - by value: secrets we were given (tokens, passwords, the password part of a URL), wherever
//     they turn up — an error message from a client library, a URL re-encoded by `new URL`, ….
// Values shorter than minSecretLength are not replaced by value: masking every "ab" in the output
// would garble it, and such a value is no secret worth the name (structural redaction still applies).
// Values are masked whole (maskWhole): never the part of a word that happens to spell one.

export const redactedMark = '***';
const minSecretLength = 3;

/** query parameters that carry credentials (InfluxDB 1.x takes u/p; others token/password/...) */
const secretParams = /([?&](?:p|password|pass|pwd|token|auth|authorization|access_token|api_key|apikey|secret)=)[^&#\s"']*/gi;

/**
 * A URL (or any text containing URLs) without its credentials:
 *   http://user:PASSWORD@host  -> http://user:***@host
 *   http://TOKEN@host          -> http://***@host   (a lone userinfo is often a token)
 *   http://host/write?u=a&p=PW -> http://host/write?u=a&p=***
 * The userinfo ends at the LAST '@' before the path, as URL parsers read it, so an unencoded '@'
 * inside a password does not leave its tail behind.
 */
export function redactUrl(url: string): string {
  return url
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*)@/gi, (_m, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      return colon >= 0 ? `${scheme}${userinfo.slice(0, colon)}:***@` : `${scheme}***@`;
    })
    .replace(secretParams, '$1***');
}

/** text with every URL credential, every given secret and every Authorization value replaced by *** */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = redactUrl(text);
  // longest first, so a secret that contains another is removed whole; a very short one (a test
  // token 't') only where it stands alone, or every 't' in the message would go
  for (const s of [...secrets].filter((x) => x.length > 0).sort((a, b) => b.length - a.length)) out = maskWhole(out, s);
  return out.replace(/(authorization["']?\s*[:=]\s*["']?)(token|basic|bearer)\s+[^\s"',}]+/gi, '$1$2 ***');
}

/** A value this long is masked wherever it appears: no word of a message holds it by chance. */
const maskAnywhereLength = 12;

/**
 * Every occurrence of the secret `value` in `text` replaced by ***, where it stands as a whole value
 * (not inside a longer word or number): a short password "tok" once turned "token" into "***en".
 * Long values are masked anywhere.
 */
function maskWhole(text: string, value: string): string {
  if (value.length >= maskAnywhereLength) return text.split(value).join(redactedMark);
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`, 'g'), redactedMark);
}

/** A redactor for the given secret values (and URL credentials): a pure text → text function. */
export function createRedactor(secrets: Iterable<string | undefined>): (text: string) => string {
  const values = new Set<string>();
  for (const s of secrets) {
    if (!s || s.length < minSecretLength) continue;
    values.add(s);
    // the same secret as it appears inside a URL, or after a client URL-encoded it
    for (const form of [encodeURIComponent(s), safeDecode(s)]) if (form.length >= minSecretLength) values.add(form);
  }
  // longest first, so a secret that contains another is masked whole
  const ordered = [...values].sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = redactUrl(text);
    for (const v of ordered) if (out.includes(v)) out = maskWhole(out, v);
    return out;
  };
}

/** Shorthand: redact one text with the given secrets. */
export function redact(text: string, secrets: Iterable<string | undefined> = []): string {
  return createRedactor(secrets)(text);
}

/** Names of options and variables whose values are secrets (--influx-token, WADDLE_FLEET_INFLUX_PASSWORD, …). */
export function isSecretName(name: string): boolean {
  return /(token|password|passwd|secret|api[-_]?key|credential)/i.test(name);
}

/**
 * The secret values in a command line and environment: values of secret-named options
 * (`--influx-token X`, `--influx-token=X`) and WADDLE_FLEET_* variables, and the password (or
 * lone user, which is often a token) of any URL among the arguments and those variables.
 */
export function secretsFromCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const found: string[] = [];
  argv.forEach((arg, i) => {
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? (eq > 0 ? arg.slice(0, eq) : arg) : '';
    if (name && isSecretName(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[i + 1];
      if (value !== undefined) found.push(value);
    }
    found.push(...urlSecrets(eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : arg));
  });
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('WADDLE_FLEET_') || !value) continue;
    if (isSecretName(name)) found.push(value);
    found.push(...urlSecrets(value));
  }
  return [...new Set(found.filter((s) => s.length > 0))];
}

function urlSecrets(text: string): string[] {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^\s/@]+)@/i.exec(text.trim());
  if (!m) return [];
  const userinfo = m[1]!;
  const colon = userinfo.indexOf(':');
  return [colon < 0 ? userinfo : userinfo.slice(colon + 1)].filter(Boolean);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// Secrets out of anything a sink says: URL credentials, credential query parameters, known tokens
// and passwords, and Authorization header values a server may echo back.

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
  for (const s of [...secrets].filter((x) => x.length > 0).sort((a, b) => b.length - a.length)) {
    out = s.length >= 6 ? out.split(s).join('***') : out.replace(new RegExp(`(?<![A-Za-z0-9])${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9])`, 'g'), '***');
  }
  return out.replace(/(authorization["']?\s*[:=]\s*["']?)(token|basic|bearer)\s+[^\s"',}]+/gi, '$1$2 ***');
}

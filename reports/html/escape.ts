// Everything from a run (plan names, error messages, tag values) is untrusted text:
// it is escaped for HTML, and data blobs are made safe to inline inside <script>.

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => htmlEscapes[c] ?? c);
}

/**
 * JSON that can sit inside <script type="application/json"> without ending it early:
 * '<' becomes \u003c (so no "</script>" or "<!--"), and U+2028/U+2029 are escaped for old parsers.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Inlined library code must not contain a closing script tag either. */
export function scriptSafe(code: string): string {
  return code.replace(/<\/script/gi, '<\\/script');
}

// Content types of uploads: checked when an upload is created (a value with CR/LF, or anything
// that is not a media type, is refused there with a message) and checked again when a download
// writes it as a header, so a stored value can never make the download fail.

/** RFC 9110 token characters. */
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
/** A quoted parameter value: printable ASCII and tabs, never CR or LF. */
const QUOTED = '"(?:[\\t\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\t\\x20-\\x7e])*"';
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(?:[ \\t]*;[ \\t]*${TOKEN}=(?:${TOKEN}|${QUOTED}))*$`);

/** Longest content type kept (a real one is a few dozen characters). */
export const MAX_CONTENT_TYPE_LENGTH = 127;
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** `type/subtype` with optional `; name=value` parameters, at most MAX_CONTENT_TYPE_LENGTH long. */
export function isMediaType(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_CONTENT_TYPE_LENGTH && MEDIA_TYPE.test(value);
}

/** The Content-Type header for a stored value: the value itself, or the default if it could not be one. */
export function contentTypeHeader(stored: string): string {
  return isMediaType(stored) ? stored : DEFAULT_CONTENT_TYPE;
}

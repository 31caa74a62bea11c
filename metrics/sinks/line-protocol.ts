// InfluxDB line protocol, escaped by hand (https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/).
//   measurement[,tag=value...] field=value[,field=value...] timestampMs
// Rules, checked against real InfluxDB 1.6.7 and VictoriaMetrics (test/influx*.e2e.test.ts):
// - measurement: escape comma and space.
// - tag keys, tag values, field keys: escape comma, '=' and space. A backslash before an ordinary
//   character is literal everywhere; a backslash at the END or before , = or space cannot be written
//   portably (InfluxDB 1.x rejects "a\\", VictoriaMetrics unescapes it), so it becomes '/'.
//   Newlines cannot exist in a line: they become the two characters "\n". Empty tag values are
//   not allowed by InfluxDB, so such tags are left out.
// - string fields: double quotes, escape '"' and '\'; newlines become "\n" (VictoriaMetrics
//   splits lines on a raw newline even inside quotes).
// - numeric fields are always floats (no 'i' suffix): the same field never changes type, which
//   InfluxDB would refuse ("field type conflict"). Non-finite numbers are left out.
export type FieldValue = number | string | boolean;

function noNewlines(s: string): string {
  return s.replace(/\r\n|\r|\n/g, '\\n');
}

export function escapeMeasurement(s: string): string {
  return noNewlines(s).replace(/\\(?=$|[ ,])/g, '/').replace(/[ ,]/g, (c) => `\\${c}`);
}

/** tag keys, tag values and field keys */
export function escapeKey(s: string): string {
  return noNewlines(s).replace(/\\(?=$|[ ,=])/g, '/').replace(/[ ,=]/g, (c) => `\\${c}`);
}

export function escapeStringField(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\r\n|\r|\n/g, '\\\\n')}"`;
}

function formatField(v: FieldValue): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return escapeStringField(v);
}

/**
 * One line, or undefined when no field survives (a line needs at least one field).
 * Tags are sorted by key (InfluxDB's advice for write performance). The timestamp is written as
 * given, in the precision the write request names: a number is rounded, a string (e.g. a
 * nanosecond timestamp too large for a double) must be an integer.
 */
export function toLine(measurement: string, tags: Readonly<Record<string, string | undefined>>, fields: Readonly<Record<string, FieldValue | undefined>>, timestamp: number | string): string | undefined {
  const fieldParts: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    const f = formatField(v);
    if (f !== undefined) fieldParts.push(`${escapeKey(k)}=${f}`);
  }
  if (fieldParts.length === 0) return undefined;
  const tagParts = Object.keys(tags)
    .sort()
    .filter((k) => k !== '' && tags[k] !== undefined && tags[k] !== '')
    .map((k) => `${escapeKey(k)}=${escapeKey(tags[k] as string)}`);
  const head = [escapeMeasurement(measurement), ...tagParts].join(',');
  if (typeof timestamp === 'string' && !/^-?\d+$/.test(timestamp)) throw new Error(`line protocol timestamp must be an integer, got ${JSON.stringify(timestamp)}`);
  return `${head} ${fieldParts.join(',')} ${typeof timestamp === 'string' ? timestamp : Math.round(timestamp)}`;
}

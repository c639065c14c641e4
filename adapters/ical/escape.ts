/**
 * Texts from schedule files and people reach calendars; none may end a line or a parameter.
 * ical-generator 10.2 escapes SUMMARY, LOCATION and DESCRIPTION (RFC 5545 §3.3.11), but writes
 * NAME, X-WR-CALNAME and X-WR-CALDESC raw (a line break in a team's name added events to
 * every feed that showed it), escapes a quote inside CN="…" as \" (which no parser reads: a
 * `"` in a person's name cut their CN and address apart) and backslash-escapes URIs.
 * So those are written here: TEXT escaped, parameters as RFC 6868 says, URIs kept as given.
 */

// Every line break a reader might split on, and the control characters TEXT may not hold.
const LINE_BREAKS = /\r\n|[\r\n\u2028\u2029\u0085]/g;
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f]/g;

/** A text as a calendar can carry it: each line break one newline, no other control character. */
export function cleanText(text: string): string {
  return text.replace(LINE_BREAKS, '\n').replace(CONTROLS, '');
}

/** An RFC 5545 TEXT value for a property ical-generator writes raw (NAME, X-WR-CALNAME, X-WR-CALDESC). */
export function escapeText(text: string): string {
  return cleanText(text).replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');
}

/**
 * A quoted parameter value (CN="…") with RFC 6868's ^' for a quote, ^n for a line break and ^^
 * for a caret. A backslash means nothing in a parameter (RFC 5545), but ical.js and others read
 * parameters as TEXT, unescape `\n` in them and then miscount where the value starts (a CN of
 * `\n:` moved the address): in a display name it is shown as the look-alike ＼ (U+FF3C).
 */
export function quotedParameter(text: string): string {
  return `"${cleanText(text).replace(/\^/g, '^^').replace(/"/g, "^'").replace(/\n/g, '^n').replace(/\\/g, '\uff3c')}"`;
}

/** A URI or CAL-ADDRESS value: written as given (no TEXT escapes), control characters percent-encoded. */
export function uriValue(uri: string): string {
  return uri.replace(/[\x00-\x1f\x7f\u0085\u2028\u2029]/g, (c) => encodeURIComponent(c));
}

import rrule from 'rrule';

const { RRule } = rrule;

const EXAMPLE = 'e.g. FREQ=MONTHLY;BYDAY=2TU,4TU';
const FREQUENCIES = ['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY'];
const WEEKDAY = /^(MO|TU|WE|TH|FR|SA|SU)$/;
const BYDAY = /^([+-]?([1-9]|[1-4]\d|5[0-3]))?(MO|TU|WE|TH|FR|SA|SU)$/;
const UNTIL = /^\d{8}(T\d{6}Z?)?$/;

/** Whole numbers allowed in each BYxxx list (RFC 5545 §3.3.10); negative ones count from the end. */
const NUMBER_LISTS: Record<string, { min: number; max: number; signed: boolean }> = {
  BYMONTH: { min: 1, max: 12, signed: false },
  BYMONTHDAY: { min: 1, max: 31, signed: true },
  BYYEARDAY: { min: 1, max: 366, signed: true },
  BYWEEKNO: { min: 1, max: 53, signed: true },
  BYSETPOS: { min: 1, max: 366, signed: true },
  BYHOUR: { min: 0, max: 23, signed: false },
  BYMINUTE: { min: 0, max: 59, signed: false },
};

/**
 * Explains why an RRULE is unusable, or undefined when it is fine. rrule.js alone is too lax
 * (it keeps INTERVAL=0 and COUNT=abc) and its errors are JavaScript internals, so each part is
 * checked here first, with a message a coordinator can act on.
 */
export function rruleProblem(text: string): string | undefined {
  if (/(^|;)\s*(DTSTART|TZID)/i.test(text) || text.includes('\n')) return 'give only the rule (FREQ=…); the first meeting goes in `starts`';
  const parts = new Map<string, string>();
  for (const part of text.split(';')) {
    const [name, value, extra] = part.split('=');
    if (!name || value === undefined || extra !== undefined || value === '') return `is not a valid RRULE: "${part}" is not a NAME=value part; ${EXAMPLE}`;
    const key = name.trim().toUpperCase();
    if (parts.has(key)) return `is not a valid RRULE: ${key} is given twice; ${EXAMPLE}`;
    parts.set(key, value.trim());
  }
  for (const [name, value] of parts) {
    const problem = partProblem(name, value);
    if (problem) return `is not a valid RRULE: ${problem}; ${EXAMPLE}`;
  }
  if (!parts.has('FREQ')) return `FREQ is missing; ${EXAMPLE}`;
  if (parts.has('COUNT') && parts.has('UNTIL')) return 'is not a valid RRULE: give COUNT or UNTIL, not both';
  try {
    new RRule(RRule.parseString(text)).toString();
    return undefined;
  } catch {
    return `is not a valid RRULE; ${EXAMPLE}`;
  }
}

function partProblem(name: string, given: string): string | undefined {
  const value = given.toUpperCase();
  const list = value.split(',');
  switch (name) {
    case 'FREQ':
      return FREQUENCIES.includes(value) ? undefined : `FREQ=${given} is not a frequency for meetings; use ${FREQUENCIES.join(', ')}`;
    case 'INTERVAL':
    case 'COUNT':
      return /^[1-9]\d{0,3}$/.test(value) ? undefined : `${name}=${given} must be a whole number from 1 to 9999`;
    case 'UNTIL':
      return UNTIL.test(value) ? undefined : `UNTIL=${value} must be a date like 20271231 or a date and time like 20271231T235900`;
    case 'WKST':
      return WEEKDAY.test(value) ? undefined : `WKST=${value} must be a weekday: MO, TU, WE, TH, FR, SA or SU`;
    case 'BYDAY': {
      const bad = list.find((day) => !BYDAY.test(day));
      return bad === undefined ? undefined : `BYDAY has "${bad}"; use weekdays MO, TU, WE, TH, FR, SA, SU, optionally numbered like 2TU or -1FR`;
    }
    default: {
      const range = NUMBER_LISTS[name];
      if (!range) return `${name} is not a part of an RRULE this service understands`;
      const bad = list.find((item) => {
        if (!/^[+-]?\d+$/.test(item)) return true;
        const n = Number(item);
        if (n < 0 && !range.signed) return true;
        return Math.abs(n) < range.min || Math.abs(n) > range.max;
      });
      const allowed = `${range.signed ? '±' : ''}${range.min}…${range.max}`;
      return bad === undefined ? undefined : `${name} has "${bad}"; it takes whole numbers ${allowed}`;
    }
  }
}

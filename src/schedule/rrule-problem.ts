import rrule from 'rrule';
import type { Language } from '../i18n/messages.js';
import { scheduleProblemMessages, type ScheduleProblemTexts } from '../i18n/schedule-problem-messages.js';

const { RRule } = rrule;

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
export function rruleProblem(text: string, language: Language = 'en'): string | undefined {
  const t = scheduleProblemMessages[language];
  if (/(^|;)\s*(DTSTART|TZID)/i.test(text) || text.includes('\n')) return t.rruleOnly;
  const parts = new Map<string, string>();
  for (const part of text.split(';')) {
    const [name, value, extra] = part.split('=');
    if (!name || value === undefined || extra !== undefined || value === '') return t.rruleInvalid(t.rrulePart(part));
    const key = name.trim().toUpperCase();
    if (parts.has(key)) return t.rruleInvalid(t.rruleTwice(key));
    parts.set(key, value.trim());
  }
  for (const [name, value] of parts) {
    const problem = partProblem(name, value, t);
    if (problem) return t.rruleInvalid(problem);
  }
  if (!parts.has('FREQ')) return t.rruleNoFreq;
  if (parts.has('COUNT') && parts.has('UNTIL')) return t.rruleCountUntil;
  try {
    new RRule(RRule.parseString(text)).toString();
    return undefined;
  } catch {
    return t.rruleInvalid();
  }
}

function partProblem(name: string, given: string, t: ScheduleProblemTexts): string | undefined {
  const value = given.toUpperCase();
  const list = value.split(',');
  switch (name) {
    case 'FREQ':
      return FREQUENCIES.includes(value) ? undefined : t.rruleFreq(given, FREQUENCIES);
    case 'INTERVAL':
    case 'COUNT':
      return /^[1-9]\d{0,3}$/.test(value) ? undefined : t.rruleWhole(name, given);
    case 'UNTIL':
      return UNTIL.test(value) ? undefined : t.rruleUntil(value);
    case 'WKST':
      return WEEKDAY.test(value) ? undefined : t.rruleWkst(value);
    case 'BYDAY': {
      const bad = list.find((day) => !BYDAY.test(day));
      return bad === undefined ? undefined : t.rruleByday(bad);
    }
    default: {
      const range = NUMBER_LISTS[name];
      if (!range) return t.rruleUnknownPart(name);
      const bad = list.find((item) => {
        if (!/^[+-]?\d+$/.test(item)) return true;
        const n = Number(item);
        if (n < 0 && !range.signed) return true;
        return Math.abs(n) < range.min || Math.abs(n) > range.max;
      });
      const allowed = `${range.signed ? '±' : ''}${range.min}…${range.max}`;
      return bad === undefined ? undefined : t.rruleNumbers(name, bad, allowed);
    }
  }
}

import ICAL from 'ical.js';
import { bareAddress } from './reply-address.js';

/** What a calendar's iTIP message (RFC 5546) says, as far as an answer is concerned. */
export interface Itip {
  method: 'REPLY' | 'COUNTER' | 'other';
  /** The event's UID: ours are `activity-<id>@kooperator` (src/feeds/calendar-events.ts). */
  uid?: string;
  /** Each ATTENDEE with its mailto address (lower case) and PARTSTAT (upper case). */
  attendees: { email: string; partstat: string }[];
  /** SEQUENCE of the invitation answered (RFC 5546 §2.1.5); 0 when absent. */
  sequence: number;
}

/** The first iTIP part that parses; undefined when none does (a broken part is no answer). */
export function readItip(calendars: string[]): Itip | undefined {
  for (const text of calendars) {
    const itip = readOne(text);
    if (itip) return itip;
  }
  return undefined;
}

function readOne(text: string): Itip | undefined {
  try {
    const root = new ICAL.Component(ICAL.parse(text) as unknown[]);
    const method = String(root.getFirstPropertyValue('method') ?? '').toUpperCase();
    const event = root.getFirstSubcomponent('vevent');
    if (!event) return undefined;
    const attendees = event.getAllProperties('attendee').map((p) => ({
      email: bareAddress(String(p.getFirstValue() ?? '').replace(/^mailto:/i, '')).toLowerCase(),
      partstat: String(p.getParameter('partstat') ?? 'NEEDS-ACTION').toUpperCase(),
    }));
    const uid = event.getFirstPropertyValue('uid');
    const sequence = Number(event.getFirstPropertyValue('sequence') ?? 0);
    return { method: method === 'REPLY' || method === 'COUNTER' ? method : 'other', ...(uid ? { uid: String(uid) } : {}), attendees, sequence: Number.isFinite(sequence) ? sequence : 0 };
  } catch {
    return undefined;
  }
}

/** The activity an iTIP UID of ours names. */
export function activityOfUid(uid: string | undefined): string | undefined {
  const m = /^activity-(.+)@kooperator$/i.exec(uid?.trim() ?? '');
  return m?.[1];
}

export const PARTSTAT_ANSWERS: Record<string, 'accepted' | 'declined' | 'maybe'> = { ACCEPTED: 'accepted', DECLINED: 'declined', TENTATIVE: 'maybe' };

import type { Kysely } from 'kysely';
import type { ActionHandler, CommandContext, FormHandler } from '../bot/commands/context.js';
import type { Clock } from '../clock.js';
import type { Database, PersonRow } from '../db/tables.js';
import { inTransaction } from '../db/transactions.js';
import { formatDateTime } from '../i18n/format.js';
import type { Language } from '../i18n/messages.js';
import { presenceMessages } from '../i18n/presence-messages.js';
import type { Form, Message } from '../ports/channel.port.js';
import { signLink, verifyLink } from '../security/signed-links.js';
import { meetingRoster, type RosterEntry } from './meeting-roster.js';
import { checkPresence, markPresence, type PresenceMethod, type PresenceRefusal } from './presence.js';
import { LATE_CHANGE_DAYS, type PresenceWindow } from './presence-window.js';

/** The form id carries the meeting ("presence:<team>:<date>"): a Slack callback_id or card data brings it back. */
export const PRESENCE_FORM = 'presence';
export const PRESENT_FIELD = 'present';

const formId = (teamId: string, date: string) => `${PRESENCE_FORM}:${teamId}:${date}`;

export function parseMeetingRef(value: string): { teamId: string; date: string } | undefined {
  const m = /^([A-Za-z0-9_-]{1,100})[:|](\d{4}-\d{2}-\d{2})$/.exec(value);
  return m ? { teamId: m[1]!, date: m[2]! } : undefined;
}

/** A person's line: name, institution, and whom a substitute came for. */
export function rosterLabel(e: RosterEntry, language: Language): string {
  const t = presenceMessages[language];
  return [e.name, e.institution, e.insteadOf ? t.instead(e.insteadOf) : undefined].filter(Boolean).join(' · ');
}

export function presenceForm(roster: RosterEntry[], language: Language, teamId: string, date: string): Form {
  const t = presenceMessages[language];
  return {
    id: formId(teamId, date),
    title: t.formTitle,
    submitLabel: t.submit,
    fields: [
      {
        id: PRESENT_FIELD,
        label: t.fieldPresent,
        kind: 'multiselect',
        checkboxes: true,
        required: false,
        options: roster.map((e) => ({ value: String(e.personId), label: rosterLabel(e, language) })),
        value: roster.filter((e) => e.ticked).map((e) => String(e.personId)).join(','),
      },
    ],
  };
}

/** The link to the web form (e-mail, the terminal): for this coordinator, until the late-change period ends. */
export function presenceLink(secret: string, publicUrl: string, personId: number, teamId: string, date: string, window: PresenceWindow): string {
  const token = signLink(secret, { purpose: 'presence', subject: String(personId), expiresAt: window.closes.toJSDate(), t: teamId, d: date });
  return `${publicUrl.replace(/\/+$/, '')}/presence/${token}`;
}

export function checkPresenceLink(secret: string, token: string, now: Date): { ok: true; personId: number; teamId: string; date: string } | { ok: false; status: 404 | 410 } {
  const link = verifyLink(secret, token, 'presence', now);
  if (!link.ok) return { ok: false, status: link.reason === 'expired' ? 410 : 404 };
  const { subject, t, d } = link.payload;
  const personId = Number(subject);
  const ref = typeof t === 'string' && typeof d === 'string' ? parseMeetingRef(`${t}:${d}`) : undefined;
  if (!ref || !Number.isSafeInteger(personId)) return { ok: false, status: 404 };
  return { ok: true, personId, ...ref };
}

export function refusalText(language: Language, reason: PresenceRefusal): string {
  const r = presenceMessages[language].refusal;
  return reason === 'too_late' ? r.too_late(LATE_CHANGE_DAYS) : r[reason];
}

const refused = (language: Language, reason: PresenceRefusal): Message => ({ language, title: presenceMessages[language].refusedTitle, text: refusalText(language, reason) });

/** May this person keep the list now? Asked as for marking themselves-or-anyone on it: the role and the time. */
async function mayConfirm(db: Kysely<Database>, person: PersonRow, teamId: string, date: string, roster: RosterEntry[], now: Date) {
  const method: PresenceMethod = person.staff_role ? 'staff' : 'checkin';
  const anyone = roster[0]?.personId ?? person.id;
  const checked = await checkPresence(db, { kind: 'meeting', refId: teamId, day: date, personId: anyone, present: true, method, markedBy: person.id }, now);
  // An empty team still says who may not; "not listed" of an empty list is no refusal of the role.
  return checked.ok || (checked.reason === 'not_listed' && roster.length === 0 && checked.window) ? { ok: true as const, window: checked.window!, method } : checked;
}

/** "presence:open" (the check-in's button): the list of the meeting, as a form, and a link for channels without forms. */
export const presenceAction: ActionHandler = async (ctx, action) => {
  const { person, db, clock } = ctx;
  const ref = parseMeetingRef(action.value);
  if (!ref) return refused(person.language, 'no_subject');
  const roster = await meetingRoster(db, ref.teamId, ref.date);
  const may = await mayConfirm(db, person, ref.teamId, ref.date, roster, clock.now());
  if (!may.ok) return refused(person.language, may.reason);
  const t = presenceMessages[person.language];
  return {
    language: person.language,
    title: t.formTitle,
    text: t.formLinkText(formatDateTime(may.window.start, person.language)),
    form: presenceForm(roster, person.language, ref.teamId, ref.date),
    links: [{ label: t.confirmLabel, url: presenceLink(ctx.appSecret, ctx.publicUrl, person.id, ref.teamId, ref.date, may.window) }],
  };
};

export type PresenceSubmit = { ok: true; message: Message } | { ok: false; message: Message; status: 400 | 403 | 404 | 410 };

/**
 * The list sent back: the ticked ids are present, the others on the list absent, each change
 * recorded (with its audit row) by markPresence, all in one transaction. Roles and time are
 * checked first and again for each person (a forged Slack or card submit, or a POST of a
 * member, changes nothing); an id that is not on the list refuses the whole list.
 */
export async function submitPresence(db: Kysely<Database>, clock: Clock, person: PersonRow, teamId: string, date: string, tickedValue: string): Promise<PresenceSubmit> {
  const language = person.language;
  const t = presenceMessages[language];
  return inTransaction(db, async (trx) => {
    const roster = await meetingRoster(trx, teamId, date);
    const may = await mayConfirm(trx, person, teamId, date, roster, clock.now());
    if (!may.ok) return { ok: false, status: may.reason === 'no_subject' ? 404 : may.reason === 'too_late' ? 410 : 403, message: refused(language, may.reason) };
    const ticked = new Set(tickedValue.split(',').map((v) => v.trim()).filter(Boolean));
    const onList = new Set(roster.map((e) => String(e.personId)));
    if ([...ticked].some((id) => !onList.has(id))) return { ok: false, status: 400, message: { language, title: t.refusedTitle, text: t.unknownPerson } };
    let changes = 0;
    let corrected = false;
    for (const e of roster) {
      const result = await markPresence(trx, { kind: 'meeting', refId: teamId, day: date, personId: e.personId, present: ticked.has(String(e.personId)), method: may.method, markedBy: person.id }, clock);
      // Checked above for the whole list: a refusal here is a change under our feet, and rolls all back.
      if (!result.ok) throw new Error(`presence refused mid-list: ${result.reason}`);
      if (result.changed) changes++;
      corrected ||= result.corrected;
    }
    return { ok: true, message: { language, title: t.savedTitle, text: t.saved(ticked.size, changes, corrected) } };
  });
}

/** The presence form from Slack, Teams or the terminal. */
export const presenceFormHandler: FormHandler = async (ctx: CommandContext, values, id) => {
  const ref = parseMeetingRef((id ?? '').slice(PRESENCE_FORM.length + 1));
  if (!ref) return refused(ctx.person.language, 'no_subject');
  const result = await submitPresence(ctx.db, ctx.clock, ctx.person, ref.teamId, ref.date, values[PRESENT_FIELD] ?? '');
  return result.message;
};

import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Database } from '../db/tables.js';
import { html, type SafeHtml } from '../http/html/layout.js';
import { formatDate } from '../i18n/format.js';
import type { Language } from '../i18n/messages.js';
import { presenceMessages } from '../i18n/presence-messages.js';
import { presenceOfPerson } from './presence.js';

export interface MyAttendanceLine {
  what: string;
  day: string;
  present: boolean;
}

/** A person's own presence, newest first, named for them: the team's meeting or the activity's title. */
export async function myAttendance(db: Kysely<Database>, personId: number, language: Language): Promise<MyAttendanceLine[]> {
  const rows = await presenceOfPerson(db, personId);
  if (rows.length === 0) return [];
  const teams = new Map((await db.selectFrom('teams').select(['id', 'name', 'timezone']).execute()).map((t) => [t.id, t]));
  const activityIds = [...new Set(rows.filter((r) => r.kind === 'activity').map((r) => r.refId))];
  const activities = new Map(
    activityIds.length ? (await db.selectFrom('activities').select(['id', 'title', 'timezone']).where('id', 'in', activityIds).execute()).map((a) => [a.id, a]) : [],
  );
  const t = presenceMessages[language];
  return rows.map((r) => {
    const team = r.kind === 'meeting' ? teams.get(r.refId) : undefined;
    const activity = r.kind === 'activity' ? activities.get(r.refId) : undefined;
    const zone = team?.timezone ?? activity?.timezone ?? 'Europe/Warsaw';
    const what = team ? t.meetingOf(team.name) : (activity?.title ?? r.refId);
    return { what, day: formatDate(DateTime.fromISO(r.day, { zone }), language), present: r.present };
  });
}

/** The personal page's part: "Moja obecność". */
export async function myAttendanceSection(db: Kysely<Database>, personId: number, language: Language): Promise<SafeHtml> {
  const t = presenceMessages[language];
  const lines = await myAttendance(db, personId, language);
  return html`<section aria-labelledby="attendance-h"><h2 id="attendance-h">${t.myAttendanceTitle}</h2>
${lines.length ? html`<p>${t.myAttendanceIntro}</p><ul>${lines.map((l) => html`<li>${l.what}, ${l.day}: <strong>${l.present ? t.presentWord : t.absentWord}</strong></li>`)}</ul>` : html`<p>${t.myAttendanceNone}</p>`}
</section>`;
}

/** moje-dane's line about presence; nothing when none is recorded. */
export async function attendanceLine(db: Kysely<Database>, personId: number, language: Language): Promise<string[]> {
  const rows = await presenceOfPerson(db, personId);
  if (rows.length === 0) return [];
  const present = rows.filter((r) => r.present).length;
  return [presenceMessages[language].myDataLine(present, rows.length - present)];
}

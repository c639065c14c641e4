import { MAX_SHIFT_DAYS } from '../domain/occurrences.js';
import { sql, type Kysely } from 'kysely';
import type { RenderBatch } from '../delivery/batch-context.js';
import { currentDataVersion } from '../db/data-version-watch.js';
import type { Database, DeliveryRow } from '../db/tables.js';
import type { Language } from '../i18n/messages.js';
import { participationMessages } from '../i18n/participation-messages.js';
import type { ChannelKind, Message } from '../ports/channel.port.js';
import type { ReminderRef } from '../reminders/plan-reminders.js';
import { answerActions } from './answer-commands.js';
import { meetingAnswerUrl } from './answer-links.js';

interface BatchAnswers {
  /** "team|date|person" → the person's answer. */
  answers: Map<string, { answer: string; substitute: number | null }>;
  /** "team|date|substitute" → the name of whom they stand in for. */
  standingIn: Map<string, string>;
  /** "team|person": current members. */
  members: Set<string>;
}

/** Every answer, substitution and membership the batch's reminders need, in two queries. */
function batchAnswers(db: Kysely<Database>, batch: RenderBatch): Promise<BatchAnswers> {
  // As the data is when each row is rendered (an answer or a membership changed during the
  // batch's send raises the data version): read again, for the batch, once per version.
  return batch.current('meeting-answers', () => currentDataVersion(db), async (rows) => {
    const refs = rows.filter((r) => (r.payload as { type?: string }).type === 'reminder').map((r) => r.payload as ReminderRef);
    const teams = [...new Set(refs.map((r) => r.teamId))];
    const dates = [...new Set(refs.map((r) => r.date))];
    const people = [...new Set(rows.map((r) => r.person_id).filter((id): id is number => id !== null))];
    const out: BatchAnswers = { answers: new Map(), standingIn: new Map(), members: new Set() };
    if (teams.length === 0) return out;
    const answers = await sql<{ team_id: string; occurrence_date: string; person_id: number; answer: string; substitute_person_id: number | null; name: string }>`
      select a.team_id, a.occurrence_date, a.person_id, a.answer, a.substitute_person_id, p.name
      from meeting_answers a join people p on p.id = a.person_id
      where a.team_id = any(${teams}::text[]) and a.occurrence_date = any(${dates}::text[])`.execute(db);
    for (const a of answers.rows) {
      out.answers.set(`${a.team_id}|${a.occurrence_date}|${a.person_id}`, { answer: a.answer, substitute: a.substitute_person_id });
      if (a.substitute_person_id !== null && a.answer === 'not_attending') out.standingIn.set(`${a.team_id}|${a.occurrence_date}|${a.substitute_person_id}`, a.name);
    }
    if (people.length > 0) {
      const members = await db.selectFrom('memberships').select(['team_id', 'person_id']).where('team_id', 'in', teams).where('person_id', 'in', people).where('removed_at', 'is', null).execute();
      for (const m of members) out.members.add(`${m.team_id}|${m.person_id}`);
    }
    return out;
  });
}

/**
 * A meeting reminder made personal for its row's person: the shared part (the same for every
 * member, rendered once per batch) with the person's own answer, and "Będę" / "Nie będę" /
 * "Przyjdzie za mnie…" as buttons in chat or as links signed for this person in e-mail. Nothing
 * for a member who said "nie będę" (their reminders stop), nor for a former substitute.
 */
export async function personalReminder(
  db: Kysely<Database>,
  row: DeliveryRow,
  language: Language,
  batch: RenderBatch,
  shared: () => Promise<Message | undefined>,
  links: { publicUrl: string; secret?: string },
): Promise<Message | undefined> {
  const ref = row.payload as ReminderRef;
  // Shared by the batch's rows of this meeting and language while the data version stays as it
  // was: a member reminded after a change (the meeting cancelled, a coordinator removed) is told
  // of it as it is now (test/reminders/reminder-batch-same-meeting-stale.hostile.test.ts).
  const base = await batch.current(`reminder-shared|${JSON.stringify(ref)}|${language}`, () => currentDataVersion(db), () => shared());
  if (!base || row.person_id === null) return base;
  const loaded = await batchAnswers(db, batch);
  const person = row.person_id;
  const t = participationMessages[language];
  if (!loaded.members.has(`${ref.teamId}|${person}`)) {
    const standsFor = loaded.standingIn.get(`${ref.teamId}|${ref.date}|${person}`);
    if (!standsFor) return undefined;
    return { ...base, fields: [...(base.fields ?? []), { label: t.substituteForLabel, value: standsFor }] };
  }
  const own = loaded.answers.get(`${ref.teamId}|${ref.date}|${person}`);
  if (own?.answer === 'not_attending') return undefined;
  const message: Message = { ...base, fields: [...(base.fields ?? []), ...(own ? [{ label: t.yourAnswerLabel, value: t.answerNames[own.answer]! }] : [])] };
  const channel = (row.channels as ChannelKind[])[row.channel_index];
  if (channel === 'email') {
    if (!links.secret) return message;
    // The meeting may be moved later (by at most MAX_SHIFT_DAYS), so the signature outlives the
    // start it was sent for by that much; the route checks the occurrence's current start at use.
    const until = new Date((row.expires_at ?? new Date(row.due_at.getTime() + 60 * 86_400_000)).getTime() + (MAX_SHIFT_DAYS + 1) * 86_400_000);
    const url = (answer: 'attending' | 'not_attending' | 'substitute') => meetingAnswerUrl(links.publicUrl, links.secret!, person, ref.teamId, ref.date, answer, until);
    const answerLinks = [
      { label: t.attendingLabel, url: url('attending') },
      { label: t.notAttendingLabel, url: url('not_attending') },
      { label: t.substituteLabel, url: url('substitute') },
    ];
    return { ...message, links: [...answerLinks, ...(message.links ?? [])] };
  }
  return { ...message, actions: answerActions(language, ref.teamId, ref.date) };
}

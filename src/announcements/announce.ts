import { sql, type Kysely } from 'kysely';
import type { CommandContext } from '../bot/commands/context.js';
import type { Database, PersonRow } from '../db/tables.js';
import { enqueue, type PlannedDelivery } from '../delivery/outbox.js';
import { announcementMessages } from '../i18n/announcement-messages.js';
import { fold } from '../bot/parse-command.js';
import type { ChannelKind, Message } from '../ports/channel.port.js';
import { graphemeCount } from '../i18n/graphemes.js';

export const MAX_ANNOUNCEMENT_LENGTH = 2000;
/** The author's delivery report is rendered this long after sending, when most deliveries are done. */
export const REPORT_AFTER_MS = 5 * 60_000;

const ALL = new Set(['wszyscy', 'all', 'wszystkie']);

/**
 * `ogłoszenie <tekst>`: a coordinator to their teams, RCPS to the teams named with
 * `@lodz,lowicz` or `@wszyscy`. Nothing goes out at once: the author sees a preview and confirms
 * (`announce:confirm` button or `ogłoszenie potwierdź`), or cancels.
 */
export async function announceCommand(ctx: CommandContext): Promise<Message> {
  const word = fold(ctx.text.split(/\s+/, 1)[0] ?? '');
  if (['potwierdz', 'confirm'].includes(word)) return confirmAnnouncement(ctx, undefined);
  if (['anuluj', 'cancel'].includes(word)) return cancelAnnouncement(ctx, undefined);
  return draftAnnouncement(ctx);
}

/** The buttons of the preview: value is the draft's id. */
export async function announceAction(ctx: CommandContext, action: { actionId: string; value: string }): Promise<Message> {
  const id = Number(action.value);
  if (action.actionId === 'announce:confirm') return confirmAnnouncement(ctx, Number.isInteger(id) ? id : -1);
  return cancelAnnouncement(ctx, Number.isInteger(id) ? id : -1);
}

function refuse(ctx: CommandContext, text: string): Message {
  const t = announcementMessages[ctx.person.language];
  return { language: ctx.person.language, title: t.refusedTitle, text };
}

async function draftAnnouncement(ctx: CommandContext): Promise<Message> {
  const { db, person } = ctx;
  const language = person.language;
  const t = announcementMessages[language];
  const staff = person.staff_role !== null;
  const coordinated = (
    await db.selectFrom('memberships').select('team_id').where('person_id', '=', person.id).where('role', '=', 'coordinator').where('removed_at', 'is', null).execute()
  ).map((r) => r.team_id);
  if (!staff && coordinated.length === 0) return refuse(ctx, t.notAllowed);

  let text = ctx.text.trim();
  let teams = coordinated;
  const target = /^@(\S+)\s*/.exec(text);
  const known = (await db.selectFrom('teams').select('id').where('removed_at', 'is', null).orderBy('id').execute()).map((r) => r.id);
  if (target) {
    text = text.slice(target[0].length).trim();
    const named = target[1]!.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    if (named.some((n) => ALL.has(fold(n)))) {
      if (!staff) return refuse(ctx, t.notYourTeams(known.filter((k) => !coordinated.includes(k)).join(', ')));
      teams = known;
    } else {
      const unknown = named.filter((n) => !known.includes(n));
      if (unknown.length) return refuse(ctx, t.unknownTeams(unknown.join(', ')));
      const foreign = named.filter((n) => !coordinated.includes(n));
      if (!staff && foreign.length) return refuse(ctx, t.notYourTeams(foreign.join(', ')));
      teams = [...new Set(named)];
    }
  } else if (staff && coordinated.length === 0) {
    return refuse(ctx, t.chooseTeams(known.join(', ')));
  }
  if (!text) return refuse(ctx, t.empty);
  const length = graphemeCount(text);
  if (length > MAX_ANNOUNCEMENT_LENGTH) return refuse(ctx, t.tooLong(MAX_ANNOUNCEMENT_LENGTH, length));

  // One draft per author: a new one replaces what was waiting, in one transaction (a failure
  // keeps the old draft), one author's drafts at a time (two at once leave one waiting).
  const draft = await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`announcement-draft:${person.id}`}))`.execute(trx);
    await trx.updateTable('announcements').set({ state: 'cancelled' }).where('author_id', '=', person.id).where('state', '=', 'draft').execute();
    return trx
      .insertInto('announcements')
      .values({ author_id: person.id, text, team_ids: JSON.stringify(teams), state: 'draft', created_at: ctx.clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
  });
  const recipients = await recipientsOf(db, teams);
  const names = await teamNames(db, teams);
  return {
    language,
    title: t.previewTitle,
    text,
    fields: [
      { label: t.recipientsLabel, value: names },
      { label: t.countLabel, value: t.people(recipients.length) },
    ],
    items: [{ title: t.previewTitle, lines: [t.confirmHint] }],
    actions: [
      { id: 'announce:confirm', value: String(draft.id), label: t.confirmLabel, style: 'primary' },
      { id: 'announce:cancel', value: String(draft.id), label: t.cancelLabel },
    ],
  };
}

async function latestDraftId(db: Kysely<Database>, person: PersonRow): Promise<number | undefined> {
  const row = await db.selectFrom('announcements').select('id').where('author_id', '=', person.id).where('state', '=', 'draft').orderBy('id', 'desc').executeTakeFirst();
  return row?.id;
}

async function confirmAnnouncement(ctx: CommandContext, id: number | undefined): Promise<Message> {
  const { db, person, clock } = ctx;
  const t = announcementMessages[person.language];
  const draftId = id ?? (await latestDraftId(db, person));
  if (draftId === undefined) return refuse(ctx, t.noDraft);
  const sent = await db.transaction().execute(async (trx) => {
    const now = clock.now();
    // Only the author's own draft, once: a double click finds it already sent.
    const row = await trx
      .updateTable('announcements')
      .set({ state: 'sent', sent_at: now })
      .where('id', '=', draftId)
      .where('author_id', '=', person.id)
      .where('state', '=', 'draft')
      .returning(['id', 'team_ids'])
      .executeTakeFirst();
    if (!row) return undefined;
    const teams = row.team_ids as string[];
    const recipients = await recipientsOf(trx, teams);
    const ref = { type: 'announcement', id: String(row.id) };
    const planned: PlannedDelivery[] = recipients.map((r) => ({
      key: `announcement:${row.id}:${r.id}`,
      kind: 'announcement',
      personId: r.id,
      teamId: r.team_id,
      channels: r.channels as ChannelKind[],
      payload: ref,
      dueAt: now,
    }));
    // The teams' own channels; the Slack row keeps the key it always had.
    const places = await trx.selectFrom('teams').select(['id', 'slack_channel', 'teams_channel']).where('id', 'in', teams.length ? teams : ['']).execute();
    for (const place of places) {
      if (place.slack_channel) {
        planned.push({ key: `announcement:${row.id}:place:${place.id}`, kind: 'announcement', place: { address: place.slack_channel, language: 'pl' }, teamId: place.id, channels: ['slack'], payload: ref, dueAt: now });
      }
      if (place.teams_channel) {
        planned.push({ key: `announcement:${row.id}:place:${place.id}:teams`, kind: 'announcement', place: { address: place.teams_channel, language: 'pl' }, teamId: place.id, channels: ['teams'], payload: ref, dueAt: now });
      }
    }
    planned.push({
      key: `announcement-report:${row.id}`,
      kind: 'announcement-report',
      personId: person.id,
      channels: person.channels as ChannelKind[],
      payload: { type: 'announcement_report', id: String(row.id) },
      dueAt: new Date(now.getTime() + REPORT_AFTER_MS),
    });
    await enqueue(trx, planned);
    return recipients.length;
  });
  if (sent === undefined) return refuse(ctx, t.alreadySent);
  ctx.changed();
  return { language: person.language, title: t.sentTitle, text: t.sentText(sent) };
}

async function cancelAnnouncement(ctx: CommandContext, id: number | undefined): Promise<Message> {
  const { db, person } = ctx;
  const t = announcementMessages[person.language];
  const draftId = id ?? (await latestDraftId(db, person));
  if (draftId === undefined) return refuse(ctx, t.noDraft);
  const done = await db.updateTable('announcements').set({ state: 'cancelled' }).where('id', '=', draftId).where('author_id', '=', person.id).where('state', '=', 'draft').executeTakeFirst();
  if (Number(done.numUpdatedRows) === 0) return refuse(ctx, t.alreadySent);
  return { language: person.language, title: t.cancelledTitle, text: t.cancelledText };
}

/** Every current member of the teams, once (the first team for a member of several). */
async function recipientsOf(db: Kysely<Database>, teams: string[]) {
  if (teams.length === 0) return [];
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('people', 'people.id', 'memberships.person_id')
    .select(['people.id', 'people.channels', 'memberships.team_id'])
    .where('memberships.team_id', 'in', teams)
    .where('memberships.removed_at', 'is', null)
    .where('people.removed_at', 'is', null)
    .orderBy('memberships.team_id')
    .execute();
  const seen = new Map<number, (typeof rows)[number]>();
  for (const r of rows) if (!seen.has(r.id)) seen.set(r.id, r);
  return [...seen.values()];
}

export async function teamNames(db: Kysely<Database>, teams: string[]): Promise<string> {
  if (teams.length === 0) return '';
  const rows = await db.selectFrom('teams').select('name').where('id', 'in', teams).orderBy('name').execute();
  return rows.map((r) => r.name).join(', ');
}

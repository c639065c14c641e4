import { DateTime } from 'luxon';
import type { ActivityRow } from '../../db/tables.js';
import { activityAdminMessages } from '../../i18n/invitation-messages.js';
import { messages } from '../../i18n/messages.js';
import { changeCapacity } from '../../invitations/capacity.js';
import type { Message } from '../../ports/channel.port.js';
import { fold } from '../parse-command.js';
import { registrationMessages } from '../../i18n/registration-messages.js';
import { parseChatQuestions } from '../../registration/chat-questions.js';
import { replaceQuestions } from '../../registration/questions.js';
import type { CommandContext, FormHandler } from './context.js';

const KINDS: ActivityRow['kind'][] = ['workshop', 'training', 'coaching', 'conference', 'education', 'consultation'];
const ZONE = 'Europe/Warsaw';

/** A refusal; `field` names the form field to fix, so a Slack modal can keep what was typed. */
const refuse = (ctx: CommandContext, text: string, field?: string): Message => ({
  language: ctx.person.language,
  title: activityAdminMessages[ctx.person.language].refusedTitle,
  text,
  ...(field ? { formError: { fieldId: field, text } } : {}),
});

/** A refusal of `warsztaty miejsca`: a capacity left as it was, not an activity left uncreated. */
const refuseSeats = (ctx: CommandContext, text: string): Message => ({ ...refuse(ctx, text), title: activityAdminMessages[ctx.person.language].seatsRefusedTitle });

/** `warsztaty nowe`: the form for a new activity (RCPS only). */
export function newActivityForm(ctx: CommandContext): Message {
  const language = ctx.person.language;
  const t = activityAdminMessages[language];
  if (!ctx.person.staff_role) return refuse(ctx, t.onlyStaff);
  const f = t.fields;
  return {
    language,
    title: t.formTitle,
    text: t.formTitle,
    form: {
      id: 'activity-new',
      title: t.formTitle,
      submitLabel: t.submit,
      fields: [
        { id: 'title', label: f.title, kind: 'text', required: true, maxLength: 200 },
        { id: 'kind', label: f.kind, kind: 'select', required: true, options: KINDS.map((k) => ({ value: k, label: messages[language].kind(k) })) },
        { id: 'starts', label: f.starts, kind: 'text', required: true, maxLength: 16 },
        { id: 'ends', label: f.ends, kind: 'text', required: true, maxLength: 16 },
        { id: 'location', label: f.location, kind: 'text', required: false, maxLength: 300 },
        { id: 'capacity', label: f.capacity, kind: 'number', required: false },
        { id: 'rsvp_by', label: f.rsvpBy, kind: 'text', required: false, maxLength: 10 },
        { id: 'audience', label: f.audience, kind: 'text', required: true, maxLength: 2000 },
        { id: 'questions', label: registrationMessages[language].chat.field, kind: 'textarea', required: false, maxLength: 3000 },
      ],
    },
  };
}

const parseLocal = (text: string | undefined) => {
  const value = DateTime.fromFormat((text ?? '').trim().replace('T', ' '), 'yyyy-MM-dd HH:mm', { zone: ZONE });
  return value.isValid ? value : undefined;
};

/** The submitted form: checked whole, then one activity and its audience; invitations follow through the outbox. */
export const createActivity: FormHandler = async (ctx, values) => {
  const language = ctx.person.language;
  const t = activityAdminMessages[language];
  if (!ctx.person.staff_role) return refuse(ctx, t.onlyStaff);
  const title = (values.title ?? '').trim();
  if (!title) return refuse(ctx, t.missing(t.fields.title), 'title');
  const kind = KINDS.includes(values.kind as ActivityRow['kind']) ? (values.kind as ActivityRow['kind']) : 'workshop';
  const starts = parseLocal(values.starts);
  if (!starts) return refuse(ctx, t.badDate(t.fields.starts), 'starts');
  const ends = parseLocal(values.ends);
  if (!ends) return refuse(ctx, t.badDate(t.fields.ends), 'ends');
  if (starts.toMillis() <= ctx.clock.now().getTime()) return refuse(ctx, t.past, 'starts');
  if (ends.toMillis() <= starts.toMillis()) return refuse(ctx, t.endsBeforeStart, 'ends');
  const capacityText = (values.capacity ?? '').trim();
  const capacity = capacityText ? Number(capacityText) : null;
  if (capacity !== null && (!Number.isInteger(capacity) || capacity <= 0)) return refuse(ctx, t.badCapacity, 'capacity');
  const rsvpBy = (values.rsvp_by ?? '').trim() || null;
  if (rsvpBy && (!DateTime.fromISO(rsvpBy).isValid || rsvpBy >= starts.toISODate()!)) return refuse(ctx, t.badRsvpBy, 'rsvp_by');
  const named = (values.audience ?? '').split(/[\s,]+/).map((s) => s.trim().toLowerCase()).filter(Boolean);
  const all = named.some((n) => ['wszyscy', 'all'].includes(fold(n)));
  const known = new Set((await ctx.db.selectFrom('teams').select('id').where('removed_at', 'is', null).execute()).map((r) => r.id));
  const unknown = all ? [] : named.filter((n) => !known.has(n));
  if (!all && named.length === 0) return refuse(ctx, t.missing(t.fields.audience), 'audience');
  if (unknown.length) return refuse(ctx, t.unknownTeams(unknown.join(', ')), 'audience');
  const questions = parseChatQuestions(values.questions ?? '', language);
  if (!questions.ok) return refuse(ctx, questions.text, 'questions');
  const slug = fold(title).replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'wydarzenie';
  const id = `${slug}-${starts.toFormat('yyyyMMdd-HHmm')}`;
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('activities')
      .values({
        id,
        kind,
        title,
        description: null,
        starts_local: starts.toFormat("yyyy-MM-dd'T'HH:mm"),
        ends_local: ends.toFormat("yyyy-MM-dd'T'HH:mm"),
        timezone: ZONE,
        starts_at: starts.toJSDate(),
        ends_at: ends.toJSDate(),
        location: (values.location ?? '').trim() || null,
        capacity,
        rsvp_by: rsvpBy,
        audience_all: all,
        public: false,
        source: 'chat',
      })
      .execute();
    if (!all) await trx.insertInto('activity_audience').values([...new Set(named)].map((team_id) => ({ activity_id: id, team_id }))).execute();
    await replaceQuestions(trx, id, questions.questions);
  });
  ctx.changed();
  return { language, title: t.createdTitle, text: t.created(title, id) };
};

/** `warsztaty miejsca <id> <liczba>`: never below the seats accepted or offered; freed seats go to the waiting list (capacity.ts). */
export async function changeSeats(ctx: CommandContext, args: string[]): Promise<Message> {
  const language = ctx.person.language;
  const t = activityAdminMessages[language];
  if (!ctx.person.staff_role) return refuseSeats(ctx, t.onlyStaff);
  const [id, count] = args;
  const seats = Number(count);
  if (!id || !Number.isInteger(seats) || seats <= 0) return refuseSeats(ctx, t.seatsUsage);
  const result = await ctx.db.transaction().execute((trx) => changeCapacity(trx, id, seats, ctx.clock.now()));
  if (!result.ok && result.code === 'unknown_activity') return refuseSeats(ctx, t.unknownActivity(id));
  if (!result.ok) {
    const { accepted, offered } = result.held;
    return refuseSeats(ctx, offered ? t.seatsBelowOffered(accepted, offered, seats) : t.seatsBelow(accepted, seats));
  }
  ctx.changed();
  return { language, title: t.seatsDoneTitle, text: t.seatsDone(result.activity.title, seats, result.offered) };
}

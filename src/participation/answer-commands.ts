import type { ActionHandler, CommandContext, FormHandler } from '../bot/commands/context.js';
import { teamIdsOfPerson } from '../feeds/feed-data.js';
import { participationMessages } from '../i18n/participation-messages.js';
import type { Language } from '../i18n/messages.js';
import type { Action, Message } from '../ports/channel.port.js';
import { looksLikeDate, meetingsOn, readAnswerDate } from './answer-dates.js';
import { answerReply } from './answer-text.js';
import { answerMeeting, MAX_REASON_LENGTH, type MeetingAnswer } from './meeting-answers.js';

type Verb = 'attending' | 'not_attending' | 'substitute';

/**
 * `będę [data] [zespół]`, `nie będę [data] [zespół] [powód]`, `zastępstwo [data] [zespół] <e-mail> [powód]`
 * (English: attending, not-attending, substitute). Without a date: the next meeting. The team is
 * needed only when the person has meetings of two teams that day.
 */
export const attendingCommand = (ctx: CommandContext) => answerCommand(ctx, 'attending');
export const notAttendingCommand = (ctx: CommandContext) => answerCommand(ctx, 'not_attending');
export const substituteCommand = (ctx: CommandContext) => answerCommand(ctx, 'substitute');

async function answerCommand(ctx: CommandContext, verb: Verb): Promise<Message> {
  const { db, person, clock } = ctx;
  const language = person.language;
  const t = participationMessages[language];
  const reply = (text: string): Message => ({ language, title: t.title, text });
  const words = ctx.text.split(/\s+/).filter(Boolean);
  const teamIds = await teamIdsOfPerson(db, person.id);
  if (teamIds.length === 0) return reply(t.refusals.not_member);
  let day: string | undefined;
  if (words[0] && looksLikeDate(words[0])) {
    // Read in the zone of the person's first team: the teams of one region share it.
    const zone = (await db.selectFrom('teams').select('timezone').where('id', '=', teamIds[0]!).executeTakeFirst())?.timezone ?? 'Europe/Warsaw';
    day = readAnswerDate(words[0], clock.now(), zone);
    if (!day) return reply(`${t.badDate(words[0])}\n\n${t.usage}`);
    words.shift();
  }
  const named = words[0] && teamIds.includes(words[0]) ? words.shift() : undefined;
  let email: string | undefined;
  if (verb === 'substitute') {
    email = words.shift();
    if (!email) return reply(`${t.refusals.substitute_missing}\n\n${t.usage}`);
  }
  const reason = words.join(' ');
  const found = await meetingsOn(db, named ? [named] : teamIds, day, clock.now());
  if (found.length === 0) return reply(day ? answerReply({ ok: false, code: 'no_meeting' }, language, { date: day }).text : t.noUpcoming);
  if (found.length > 1) return reply(t.whichTeam(found.map((f) => f.team.team.id).join(', ')));
  const { team, occurrence } = found[0]!;
  const answer: MeetingAnswer = verb === 'attending' ? 'attending' : 'not_attending';
  const result = await answerMeeting(
    db,
    { teamId: team.team.id, occurrenceDate: occurrence.date, personId: person.id, answer, source: 'chat', ...(reason ? { reason } : {}), ...(email !== undefined ? { substituteEmail: email } : {}) },
    clock,
  );
  if (result.ok && !result.unchanged) ctx.changed();
  const { ok: _ok, ...message } = answerReply(result, language, { date: occurrence.date, ...(email ? { email } : {}) });
  return message;
}

/** The three buttons of a reminder or invitation; the value names the occurrence: "team|date". */
export function answerActions(language: Language, teamId: string, date: string): Action[] {
  const t = participationMessages[language];
  const value = `${teamId}|${date}`;
  return [
    { id: 'meeting:attending', value, label: t.attendingLabel, style: 'primary' },
    { id: 'meeting:not_attending', value, label: t.notAttendingLabel, style: 'danger' },
    { id: 'meeting:substitute', value, label: t.substituteLabel },
  ];
}

const FORM = 'meeting-substitute';

/** "Przyjdzie za mnie…" asks for the e-mail (and a reason) in a form whose id names the occurrence. */
export function substituteForm(language: Language, teamId: string, date: string): Message {
  const t = participationMessages[language];
  return {
    language,
    title: t.formTitle,
    text: t.formTitle,
    form: {
      id: `${FORM}|${teamId}|${date}`,
      title: t.formTitle,
      submitLabel: t.formSubmit,
      fields: [
        { id: 'email', label: t.formEmail, kind: 'text', required: true, maxLength: 254 },
        { id: 'reason', label: t.formReason, kind: 'textarea', required: false, maxLength: MAX_REASON_LENGTH },
      ],
    },
  };
}

/** The buttons in Slack, Teams and the terminal: the person who pressed is the one who answers. */
export const meetingAnswerAction: ActionHandler = async (ctx, action) => {
  const { person } = ctx;
  const [teamId = '', date = ''] = action.value.split('|');
  if (action.actionId === 'meeting:substitute') return substituteForm(person.language, teamId, date);
  const answer: MeetingAnswer = action.actionId === 'meeting:attending' ? 'attending' : 'not_attending';
  const result = await answerMeeting(ctx.db, { teamId, occurrenceDate: date, personId: person.id, answer, source: 'chat' }, ctx.clock);
  if (result.ok && !result.unchanged) ctx.changed();
  const { ok: _ok, ...message } = answerReply(result, person.language, { date });
  return message;
};

/** The substitute form, submitted: "meeting-substitute|team|date". */
export const substituteFormHandler: FormHandler = async (ctx, values, formId = '') => {
  const [, teamId = '', date = ''] = formId.split('|');
  const email = values.email ?? '';
  const reason = values.reason?.trim();
  const result = await answerMeeting(
    ctx.db,
    { teamId, occurrenceDate: date, personId: ctx.person.id, answer: 'not_attending', substituteEmail: email, source: 'chat', ...(reason ? { reason } : {}) },
    ctx.clock,
  );
  if (result.ok && !result.unchanged) ctx.changed();
  const { ok, ...message } = answerReply(result, ctx.person.language, { date, email });
  const field = result.ok ? undefined : result.code === 'reason_too_long' ? 'reason' : 'email';
  return ok || !field ? message : { ...message, formError: { fieldId: field, text: message.text } };
};

export const SUBSTITUTE_FORM = FORM;

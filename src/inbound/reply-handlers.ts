import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import type { PersonRow } from '../db/tables.js';
import { formatDate } from '../i18n/format.js';
import { inboundMessages } from '../i18n/inbound-messages.js';
import type { Language } from '../i18n/messages.js';
import { outcomeText } from '../invitations/answer-text.js';
import { answerInvitation, type Answer } from '../invitations/rsvp.js';
import type { InboundOutcome } from '../ports/inbound-mail.port.js';
import type { Message } from '../ports/channel.port.js';
import { answerReport } from '../reports/report-changes.js';
import { coordinatorsOf, excerpt, rcps, tellPeople, tellSender, type MailContext } from './inbound-outbox.js';
import { activityOfUid, PARTSTAT_ANSWERS, type Itip } from './itip.js';
import { recordMeetingReply } from './meeting-reply.js';
import type { ParsedMail } from './parse-mail.js';
import type { Bound, UnverifiedReason } from './reply-binding.js';
import { ownWords, plainAnswer, type PlainAnswer } from './reply-text.js';
import type { Answered } from '../invitations/plan-activity-reminders.js';

export interface Handled {
  result: InboundOutcome;
  classified?: string;
  personId?: number;
  deliveryId?: number;
  /** Something was written besides the record (answers, messages): the delivery loop is woken. */
  changed?: boolean;
  /** An invitation answered anew: that person's reminders of it are planned at once, as after a link's answer. */
  answered?: Answered;
}

type BoundPerson = Extract<Bound, { person: unknown }>;

const PLAIN_TO_RSVP: Record<PlainAnswer, Answer> = { yes: 'accepted', no: 'declined', maybe: 'maybe' };

/** A mail bound to a person: a calendar's answer, a plain reply, a comment, or a message passed on. */
export async function answerBound(clock: Clock, c: MailContext, mail: ParsedMail, bound: BoundPerson, itip: Itip | undefined): Promise<Handled> {
  const { person, topic } = bound;
  const base = { personId: person.id, ...(bound.deliveryId ? { deliveryId: bound.deliveryId } : {}), changed: true };
  const t = inboundMessages[person.language];
  if (itip && (itip.method === 'REPLY' || itip.method === 'COUNTER')) {
    const activityId = activityOfUid(itip.uid) ?? (topic.kind === 'activity' ? topic.activityId : undefined);
    const activity = activityId ? await c.trx.selectFrom('activities').select(['id', 'title', 'sequence']).where('id', '=', activityId).executeTakeFirst() : undefined;
    // An answer to an older SEQUENCE answers an invitation since changed (RFC 5546 §2.1.5): not recorded, the person asked again.
    if (activity && itip.sequence < activity.sequence) {
      await tellSender(c, person, 'confirm', { language: person.language, title: t.staleInvitationTitle, text: t.staleInvitationText(activity.title) });
      return { ...base, classified: 'itip_reply', result: { status: 'recorded', what: 'itip_stale_sequence' } };
    }
    if (activity && itip.method === 'COUNTER') {
      await tellSender(c, person, 'counter', { language: person.language, title: t.counterTitle, text: t.counterText(activity.title) });
      return { ...base, classified: 'itip_counter', result: { status: 'recorded', what: 'counter_answered' } };
    }
    const attendee = itip.attendees.find((a) => a.email === person.email.toLowerCase());
    const answer = attendee ? PARTSTAT_ANSWERS[attendee.partstat] : undefined;
    if (activity && answer) return rsvp(clock, c, person, activity.id, answer, 'itip_reply', base);
    if (activity) return passOn(c, mail, person, { kind: 'activity', activityId: activity.id, title: activity.title }, undefined, base);
  }
  const said = plainAnswer(mail.text, person.language);
  // Mail loops (a header-less autoresponder answering our confirmations): an unclear reply to our own
  // confirmation is passed on without a new confirmation, and a second one within a day is not passed on.
  const toConfirmation = !said && bound.deliveryId ? (await c.trx.selectFrom('deliveries').select('kind').where('id', '=', bound.deliveryId).executeTakeFirst())?.kind === 'inbound_confirmation' : false;
  if (toConfirmation) {
    const earlier = await c.trx.selectFrom('inbound_mails').select('id').where('delivery_id', '=', bound.deliveryId!).where('id', '<>', c.mailId).where('received_at', '>', new Date(c.now.getTime() - 86_400_000)).executeTakeFirst();
    if (earlier) return { ...base, changed: false, classified: 'message', result: { status: 'ignored', why: 'repeated_reply_to_confirmation' } };
  }
  return answerTopic(clock, toConfirmation ? { ...c, quiet: true } : c, mail, bound, base, said);
}

async function answerTopic(clock: Clock, c: MailContext, mail: ParsedMail, bound: BoundPerson, base: { personId: number; deliveryId?: number; changed: boolean }, said: ReturnType<typeof plainAnswer>): Promise<Handled> {
  const { person, topic } = bound;
  const t = inboundMessages[person.language];
  if (topic.kind === 'activity') {
    const activity = await c.trx.selectFrom('activities').select(['id', 'title']).where('id', '=', topic.activityId).executeTakeFirst();
    if (!activity) return passOn(c, mail, person, { kind: 'other' }, undefined, base);
    if (said) return rsvp(clock, c, person, activity.id, PLAIN_TO_RSVP[said.answer], 'plain_reply', base);
    return passOn(c, mail, person, { kind: 'activity', activityId: activity.id, title: activity.title }, undefined, base);
  }
  if (topic.kind === 'meeting') {
    const team = await c.trx.selectFrom('teams').select(['id', 'name', 'timezone']).where('id', '=', topic.teamId).executeTakeFirst();
    if (!team) return passOn(c, mail, person, { kind: 'other' }, undefined, base);
    const meeting = { kind: 'meeting' as const, teamId: team.id, name: team.name, date: formatDate(DateTime.fromISO(topic.date, { zone: team.timezone }), person.language), isoDate: topic.date, zone: team.timezone };
    if (said && said.answer !== 'maybe') {
      const answer = said.answer === 'yes' ? 'attending' : 'not_attending';
      const recorded = await recordMeetingReply(c.trx, { teamId: team.id, occurrenceDate: topic.date, personId: person.id, answer, ...(said.rest && answer === 'not_attending' ? { reason: said.rest } : {}) }, clock, c.mailId);
      // The confirmation is answerMeeting's own (as for an answer link).
      if (recorded.ok) return { ...base, classified: 'plain_reply', result: { status: 'recorded', what: `meeting_answer:${answer}${recorded.unchanged ? ':unchanged' : ''}` } };
      return passOn(c, mail, person, meeting, said.answer, base);
    }
    return passOn(c, mail, person, meeting, undefined, base);
  }
  if (topic.kind === 'report') {
    const changed = await answerReport(c.trx, person, topic.code, 'commented', ownWords(mail.text), c.now);
    await tellSender(c, person, 'confirm', { language: person.language, title: t.reportCommentTitle(topic.code), text: changed.text });
    return { ...base, classified: 'report_reply', result: { status: 'recorded', what: changed.ok ? 'report_comment' : `report_comment_refused:${changed.status}` } };
  }
  return passOn(c, mail, person, { kind: 'other' }, undefined, base);
}

/** The answer recorded exactly as the invitation's button records it; the person told where they stand. */
async function rsvp(clock: Clock, c: MailContext, person: PersonRow, activityId: string, answer: Answer, classified: string, base: Partial<Handled>): Promise<Handled> {
  const outcome = await answerInvitation(c.trx, clock, { activityId, personId: person.id, answer });
  const said = outcomeText(outcome, person.language);
  await tellSender(c, person, 'confirm', { language: person.language, title: said.title, text: said.text });
  const what = outcome.ok ? `rsvp:${outcome.status}${outcome.unchanged ? ':unchanged' : ''}` : `rsvp_refused:${outcome.code}`;
  return { ...base, classified, result: { status: 'recorded', what }, ...(outcome.ok && !outcome.unchanged ? { answered: { activityId, personId: person.id } } : {}) };
}

type Target =
  | { kind: 'meeting'; teamId: string; name: string; date: string; isoDate: string; zone: string }
  | { kind: 'activity'; activityId: string; title: string }
  | { kind: 'other' };

/** What a person reads: the team's coordinator (a meeting) or RCPS (anything else), with an excerpt; the writer is told. */
async function passOn(c: MailContext, mail: ParsedMail, person: PersonRow, target: Target, understood: PlainAnswer | undefined, base: Partial<Handled>): Promise<Handled> {
  const readers = target.kind === 'meeting' ? await coordinatorsOf(c.trx, target.teamId) : await rcps(c.trx);
  // Nothing above the quote: the quote is our own mail (with the person's signed links), never shown to another.
  const words = ownWords(mail.text);
  const message = (language: Language): Message => {
    const m = inboundMessages[language];
    const date = target.kind === 'meeting' ? formatDate(DateTime.fromISO(target.isoDate, { zone: target.zone }), language) : '';
    const title = target.kind === 'meeting' ? m.forwardMeetingTitle(target.name, date) : target.kind === 'activity' ? m.forwardActivityTitle(target.title) : m.forwardOtherTitle;
    return {
      language,
      title,
      text: m.forwardText(person.name, person.email, understood ? m.forwardAnswerNames[understood] : undefined),
      fields: [
        { label: m.subjectLabel, value: excerpt(mail.subject, language) },
        { label: m.excerptLabel, value: words ? excerpt(words, language) : m.emptyReply },
      ],
    };
  };
  await tellPeople(c, readers, 'forward', 'inbound_forward', message, target.kind === 'meeting' ? target.teamId : undefined);
  const t = inboundMessages[person.language];
  const text =
    target.kind === 'meeting'
      ? t.meetingPassedOn(target.name, target.date, understood ? t.meetingAnswerNames[understood] : undefined)
      : target.kind === 'activity'
        ? t.activityPassedOn(target.title)
        : t.otherPassedOn;
  if (!c.quiet) await tellSender(c, person, 'confirm', { language: person.language, title: t.passedOnTitle, text });
  const classified = target.kind === 'other' ? 'message' : 'plain_reply';
  return { ...base, classified, result: { status: 'recorded', what: target.kind === 'meeting' ? (understood ? `to_coordinator:${understood}` : 'to_coordinator:unclear') : `to_rcps:${target.kind}` } };
}

/** A mail that binds to no one: RCPS reads a short excerpt, nothing is recorded, the sender is not answered. */
export async function forwardUnverified(c: MailContext, mail: ParsedMail, reason: UnverifiedReason): Promise<void> {
  const staff = await rcps(c.trx);
  await tellPeople(c, staff, 'unverified', 'inbound_unverified', (language) => {
    const m = inboundMessages[language];
    return {
      language,
      title: m.unverifiedTitle,
      text: m.unverifiedText(m.unverifiedReasons[reason]!),
      fields: [
        { label: m.fromLabel, value: excerpt(mail.from ?? '', language) },
        { label: m.subjectLabel, value: excerpt(mail.subject, language) },
        // Never the quote: it may be one of our mails with someone's signed links.
        { label: m.excerptLabel, value: ownWords(mail.text) ? excerpt(ownWords(mail.text), language) : m.emptyReply },
      ],
    };
  });
}


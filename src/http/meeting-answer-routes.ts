import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { occurrenceOn, takesPlace } from '../domain/occurrences.js';
import { loadTeams } from '../feeds/feed-data.js';
import { formatDateTime } from '../i18n/format.js';
import { participationMessages } from '../i18n/participation-messages.js';
import { checkAnswerLink, type LinkAnswer } from '../participation/answer-links.js';
import { answerReply } from '../participation/answer-text.js';
import { answerMeeting, MAX_REASON_LENGTH } from '../participation/meeting-answers.js';
import { html, sendPage } from './html/layout.js';
import { sendBadLink } from './me/bad-link-page.js';
import { readForm } from './read-body.js';
import type { Route } from './router.js';

export interface MeetingAnswerRouteOptions {
  db: Kysely<Database>;
  clock: Clock;
  appSecret: string;
  /** An answer changed feeds (a substitute's entry) and the outbox (its messages). */
  onAnswered?: () => void;
}

const STATUS = { not_member: 403, no_meeting: 409, closed: 409, unknown_substitute: 422, self_substitute: 422, other_institution: 422, substitute_missing: 422, reason_too_long: 422 } as const;

/**
 * `GET /meeting-answer/{signedToken}` shows the meeting and the one answer the link stands for,
 * with a button (and, for "nie będę", an optional reason; for "przyjdzie za mnie…", the
 * substitute's e-mail), and changes nothing: mail scanners open every link in a mail. `POST`
 * records it, as the RSVP pages do (src/http/rsvp-routes.ts).
 */
export function meetingAnswerRoutes(options: MeetingAnswerRouteOptions): Route[] {
  const path = /^\/meeting-answer\/([A-Za-z0-9_.-]+)$/;
  return [
    { method: 'GET', path, name: 'meeting_answer', handler: (req, res, [token]) => show(options, req, res, token!) },
    { method: 'POST', path, name: 'meeting_answer_record', handler: (req, res, [token]) => record(options, req, res, token!) },
  ];
}

async function resolve(options: MeetingAnswerRouteOptions, token: string) {
  const link = checkAnswerLink(options.appSecret, token, options.clock.now());
  if (!link.ok) return link;
  const person = await options.db.selectFrom('people').selectAll().where('id', '=', link.personId).where('removed_at', 'is', null).executeTakeFirst();
  const [team] = await loadTeams(options.db, [link.teamId]);
  const occurrence = team && occurrenceOn(team.meetings, link.date);
  if (!person || !team || !occurrence) return { ok: false as const, status: 404 as const };
  // The link outlives the start it was sent for (the meeting may be postponed): it expires when
  // the meeting as it stands now begins.
  if (occurrence.start.toMillis() <= options.clock.now().getTime()) return { ok: false as const, status: 410 as const };
  return { ok: true as const, person, team, occurrence, answer: link.answer, date: link.date };
}

async function show(options: MeetingAnswerRouteOptions, _req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
  const found = await resolve(options, token);
  if (!found.ok) return sendBadLink(res, found.status, 'pl', 'rsvp');
  const { person, team, occurrence, answer } = found;
  const language = person.language;
  const t = participationMessages[language];
  const when = formatDateTime(occurrence.start, language);
  const label = labelOf(answer, language);
  const place = takesPlace(occurrence) ? team.series.location : '';
  sendPage(res, 200, {
    language,
    title: t.pageTitle(team.team.name),
    body: html`<dl><dt>${language === 'pl' ? 'Kiedy' : 'When'}</dt><dd>${when}</dd><dt>${language === 'pl' ? 'Gdzie' : 'Where'}</dt><dd>${place}</dd></dl>
<form method="post" action="/meeting-answer/${token}"><p>${t.pageConfirm(label)}</p>${fields(answer, language)}<button type="submit">${t.pageButton}</button></form>`,
  });
}

function labelOf(answer: LinkAnswer, language: 'pl' | 'en'): string {
  const t = participationMessages[language];
  return answer === 'attending' ? t.attendingLabel : answer === 'not_attending' ? t.notAttendingLabel : t.substituteLabel;
}

function fields(answer: LinkAnswer, language: 'pl' | 'en') {
  const t = participationMessages[language];
  const reason = html`<label for="reason">${t.formReason}</label><textarea id="reason" name="reason" maxlength="${String(MAX_REASON_LENGTH)}"></textarea>`;
  if (answer === 'attending') return html``;
  if (answer === 'not_attending') return reason;
  return html`<label for="email">${t.formEmail}</label><input id="email" name="email" type="email" required maxlength="254" autocomplete="off">${reason}`;
}

async function record(options: MeetingAnswerRouteOptions, req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
  const form = await readForm(req, 8192);
  const found = await resolve(options, token);
  if (!found.ok) return sendBadLink(res, found.status, 'pl', 'rsvp');
  const { person, team, answer, date } = found;
  const reason = form.reason?.trim();
  const email = answer === 'substitute' ? (form.email ?? '') : undefined;
  const result = await answerMeeting(
    options.db,
    {
      teamId: team.team.id,
      occurrenceDate: date,
      personId: person.id,
      answer: answer === 'attending' ? 'attending' : 'not_attending',
      source: 'link',
      ...(reason ? { reason } : {}),
      ...(email !== undefined ? { substituteEmail: email } : {}),
    },
    options.clock,
  );
  if (result.ok && !result.unchanged) options.onAnswered?.();
  const said = answerReply(result, person.language, { date, ...(email ? { email } : {}) });
  const status = result.ok ? 200 : STATUS[result.code];
  sendPage(res, status, { language: person.language, title: said.title, body: html`<p class="notice ${said.ok ? 'ok' : 'bad'}">${said.text}</p>` });
}

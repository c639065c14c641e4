import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { invitationMessages } from '../i18n/invitation-messages.js';
import type { Language } from '../i18n/messages.js';
import { outcomeText } from '../invitations/answer-text.js';
import { activityFields } from '../invitations/invitation-message.js';
import { answerInvitation, type Answer } from '../invitations/rsvp.js';
import { verifyLink } from '../security/signed-links.js';
import { html, sendPage } from './html/layout.js';
import { sendBadLink } from './me/bad-link-page.js';
import { readForm } from './read-body.js';
import { registrationFormFor } from '../registration/registration-replies.js';
import { registrationFormHtml, registrationPage } from './registration-page.js';
import type { Route } from './router.js';
import type { Answered } from '../invitations/plan-activity-reminders.js';

export interface RsvpRouteOptions {
  db: Kysely<Database>;
  clock: Clock;
  appSecret: string;
  /** An answer changed the person's feed and maybe offered a seat: feeds and the outbox must see it. */
  onAnswered?: (answer: Answered) => void;
}

const ANSWERS = new Set<Answer>(['accepted', 'declined', 'maybe']);
const STATUS = { unknown_activity: 404, not_invited: 403, cancelled: 409, past: 409, closed: 409 } as const;

/**
 * `GET /rsvp/{signedToken}` shows the invitation and the one answer the link stands for, with a
 * button, and changes nothing: mail scanners (Outlook Safe Links) open every link in a mail.
 * `POST` records that answer and shows where the person stands (CONTRACT.md).
 */
export function rsvpRoutes(options: RsvpRouteOptions): Route[] {
  const path = /^\/rsvp\/([A-Za-z0-9_.-]+)$/;
  return [
    { method: 'GET', path, name: 'rsvp', handler: (req, res, [token]) => show(options, req, res, token!) },
    { method: 'POST', path, name: 'rsvp_answer', handler: (req, res, [token]) => record(options, req, res, token!) },
    // The registration questions of the activity, for the person of an "accept" link (registration-page.ts).
    { method: 'GET', path: REGISTRATION, name: 'rsvp_registration', handler: (req, res, [token]) => registration(options, req, res, token!) },
    { method: 'POST', path: REGISTRATION, name: 'rsvp_registration_save', handler: (req, res, [token]) => registration(options, req, res, token!) },
  ];
}

const REGISTRATION = /^\/rsvp\/([A-Za-z0-9_.-]+)\/registration$/;

async function registration(options: RsvpRouteOptions, req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
  const found = await resolve(options, token);
  // Only an "I will come" link opens the questions: they are asked of people coming.
  if (!found || found.answer !== 'accepted') return badLink(options, res, token);
  await registrationPage(options, req, res, found, `/rsvp/${token}/registration`);
}

async function resolve(options: RsvpRouteOptions, token: string) {
  const found = await resolvePerson(options, token);
  if (!found) return undefined;
  const activity = await options.db.selectFrom('activities').selectAll().where('id', '=', found.activityId).executeTakeFirst();
  if (!activity) return undefined;
  return { person: found.person, activity, answer: found.answer };
}

/** The link's person, activity id and answer; the activity itself is not read (an answer reads it under its lock). */
async function resolvePerson(options: RsvpRouteOptions, token: string) {
  const link = verifyLink(options.appSecret, token, 'rsvp', options.clock.now());
  if (!link.ok) return undefined;
  const answer = link.payload.answer as Answer;
  const activityId = link.payload.activity;
  if (!ANSWERS.has(answer) || typeof activityId !== 'string') return undefined;
  const person = await options.db.selectFrom('people').selectAll().where('id', '=', Number(link.payload.subject)).where('removed_at', 'is', null).executeTakeFirst();
  if (!person) return undefined;
  return { person, activityId, answer };
}

/**
 * The bilingual bad-link page: 410 for an expired link, the same 404 for a forged or orphaned one
 * (no hint whether it ever existed). Invitations also go by e-mail, so it names e-mail ways too.
 */
function badLink(options: RsvpRouteOptions, res: ServerResponse, token: string): void {
  const link = verifyLink(options.appSecret, token, 'rsvp', options.clock.now());
  sendBadLink(res, !link.ok && link.reason === 'expired' ? 410 : 404, 'pl', 'rsvp');
}

async function show(options: RsvpRouteOptions, _req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
  const found = await resolve(options, token);
  if (!found) return badLink(options, res, token);
  const { person, activity, answer } = found;
  const language = person.language;
  const t = invitationMessages[language];
  const fields = activityFields(activity, language);
  sendPage(res, 200, {
    language,
    title: t.pageTitle(activity.title),
    body: html`<dl>${fields.map((f) => html`<dt>${f.label}</dt><dd>${f.value}</dd>`)}</dl>
<form method="post" action="/rsvp/${token}"><p>${t.pageConfirm(t.answerNames[answer]!)}</p><button type="submit">${t.pageButton}</button></form>`,
  });
}

async function record(options: RsvpRouteOptions, req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
  await readForm(req, 4096);
  const found = await resolvePerson(options, token);
  if (!found) return badLink(options, res, token);
  const { person, activityId, answer } = found;
  const outcome = await answerInvitation(options.db, options.clock, { activityId, personId: person.id, answer });
  // A link to an activity that is gone: the same bad-link page as one that never existed.
  if (!outcome.ok && outcome.code === 'unknown_activity') return badLink(options, res, token);
  if (outcome.ok && !outcome.unchanged) options.onAnswered?.({ activityId, personId: person.id });
  const said = outcomeText(outcome, person.language);
  const status = outcome.ok ? 200 : STATUS[outcome.code];
  // "I will come" to an activity with registration questions: the page asks them at once.
  const coming = outcome.ok && outcome.hasQuestions && (outcome.status === 'accepted' || outcome.status === 'waiting');
  const form = coming ? await registrationFormFor(options.db, activityId, person.id, person.language) : undefined;
  const questions = form ? registrationFormHtml(form, `/rsvp/${token}/registration`, person.language) : '';
  sendPage(res, status, { language: person.language, title: said.title, body: html`<p class="notice ${said.ok ? 'ok' : 'bad'}">${said.text}</p>${questions}` });
}

import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { html, sendPage, type PageOptions } from '../http/html/layout.js';
import type { Route } from '../http/router.js';
import { pageLanguage, staffMessagePage } from '../http/staff-message-page.js';
import { workshopViewMessages } from '../i18n/invitation-messages.js';
import type { Language } from '../i18n/messages.js';
import { staffPageMessages } from '../i18n/staff-page-messages.js';
import { activityAnswers, type ActivityAnswers, type AnswerCounts } from './answer-counts.js';
import { checkAnswersLink } from './answers-page-links.js';
import { activitiesWithPresence, certificatesSection, sendToAllPresent } from '../participation/certificates-staff.js';
import { registrationSection } from '../registration/totals-html.js';
import { registrationTotals, type RegistrationTotals } from '../registration/totals.js';

export interface AnswersPageOptions {
  db: Kysely<Database>;
  clock: Clock;
  appSecret: string;
  /** For the "send certificates to everyone present" form: its origin check (src/participation/certificates-staff.ts). */
  publicUrl?: string;
  /** Certificates were put in the outbox. */
  onQueued?: () => void;
}

/**
 * `/activities/{signedToken}`: the RCPS view of the answers to every upcoming activity, by team
 * and by institution, whole (the chat answer of `warsztaty` is shortened where a platform must,
 * and links here). For one RCPS person (purpose 'activity-answers', 30 days); read-only.
 * Forged 404, expired or a removed person 410, no longer RCPS or admin 403.
 */
export function answersPageRoutes(options: AnswersPageOptions): Route[] {
  return [
    {
      method: 'GET',
      path: /^\/activities\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/,
      name: 'activity_answers_page',
      handler: async (req, res, [token]) => {
        const now = options.clock.now();
        const check = checkAnswersLink(options.appSecret, token!, now);
        if (!check.ok) return sendPage(res, check.status, check.status === 410 ? staffMessagePage('both', 'expiredTitle', 'answersExpired') : staffMessagePage('both', 'badLinkTitle', 'answersBadLink'));
        const person = await options.db.selectFrom('people').selectAll().where('id', '=', check.personId).where('removed_at', 'is', null).executeTakeFirst();
        if (!person) return sendPage(res, 410, staffMessagePage('both', 'expiredTitle', 'answersExpired'));
        const language = pageLanguage(req.url, person.language);
        if (!person.staff_role) return sendPage(res, 403, staffMessagePage(language, 'notAllowedTitle', 'answersNotStaff'));
        const activities = await activityAnswers(options.db, now);
        const registrations = await registrationTotals(options.db, activities.map((a) => a.id), language);
        const page = answersPage(language, `/activities/${token}`, activities, registrations);
        const certificates = certificatesSection(language, `/activities/${token}`, await activitiesWithPresence(options.db));
        sendPage(res, 200, { ...page, body: html`${page.body}${certificates}` });
      },
    },
    {
      // RCPS sends every person present at a training or workshop their certificate (docs/participation.md).
      method: 'POST',
      path: /^\/activities\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\/certificates$/,
      name: 'activity_certificates',
      handler: async (req, res, [token]) => {
        const check = checkAnswersLink(options.appSecret, token!, options.clock.now());
        if (!check.ok) return sendPage(res, check.status, check.status === 410 ? staffMessagePage('both', 'expiredTitle', 'answersExpired') : staffMessagePage('both', 'badLinkTitle', 'answersBadLink'));
        const person = await options.db.selectFrom('people').selectAll().where('id', '=', check.personId).where('removed_at', 'is', null).executeTakeFirst();
        if (!person) return sendPage(res, 410, staffMessagePage('both', 'expiredTitle', 'answersExpired'));
        const language = pageLanguage(req.url, person.language);
        if (!person.staff_role) return sendPage(res, 403, staffMessagePage(language, 'notAllowedTitle', 'answersNotStaff'));
        await sendToAllPresent({ ...options, publicUrl: options.publicUrl ?? 'http://localhost' }, req, res, language, `/activities/${token}`);
      },
    },
  ];
}

const COLUMNS = ['invited', 'accepted', 'declined', 'maybe', 'waiting', 'lapsed', 'none'] as const;

/** Every activity: its totals, then a table by team and one by institution, every row shown. */
export function answersPage(language: Language, path: string, activities: ActivityAnswers[], registrations: Map<string, RegistrationTotals> = new Map()): PageOptions {
  const t = workshopViewMessages[language];
  const p = staffPageMessages[language];
  const table = (heading: string, first: string, rows: Map<string, AnswerCounts>) =>
    html`<h3>${heading}</h3>
<table><thead><tr><th scope="col">${first}</th>${COLUMNS.map((c) => html`<th scope="col">${p[c]}</th>`)}</tr></thead>
<tbody>${[...rows].map(([name, c]) => html`<tr><th scope="row">${name}</th>${COLUMNS.map((k) => html`<td>${c[k]}</td>`)}</tr>`)}</tbody></table>`;
  const sections = activities.map(
    (a) => html`<section aria-labelledby="a-${a.id}"><h2 id="a-${a.id}">${a.title}</h2>
<p>${t.counts(a.all)}</p>
${table(t.byTeam, p.team, a.teams)}
${table(t.byInstitution, p.institution, a.institutions)}
${registrations.has(a.id) ? registrationSection(language, registrations.get(a.id)!) : ''}</section>`,
  );
  return {
    language,
    title: t.staffTitle,
    switchLanguageUrl: `${path}?lang=${language === 'pl' ? 'en' : 'pl'}`,
    body: activities.length ? html`<p>${t.staffSummary}</p>${sections}` : html`<p>${p.answersNone}</p>`,
  };
}

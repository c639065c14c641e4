import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { html, sendPage, type PageOptions, type SafeHtml } from '../http/html/layout.js';
import { activityPresenceSection } from '../participation/activity-presence-section.js';
import type { Route } from '../http/router.js';
import { pageLanguage, staffMessagePage } from '../http/staff-message-page.js';
import { workshopViewMessages } from '../i18n/invitation-messages.js';
import type { Language } from '../i18n/messages.js';
import { staffPageMessages } from '../i18n/staff-page-messages.js';
import { activityAnswers, type ActivityAnswers, type AnswerCounts } from './answer-counts.js';
import { checkAnswersLink } from './answers-page-links.js';

export interface AnswersPageOptions {
  db: Kysely<Database>;
  clock: Clock;
  appSecret: string;
  /** For the presence part's links (posters, marking); without it the part is left out. */
  publicUrl?: string;
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
        const presence = options.publicUrl ? await activityPresenceSection(options.db, language, options.appSecret, options.publicUrl, person.id, now) : undefined;
        sendPage(res, 200, answersPage(language, `/activities/${token}`, await activityAnswers(options.db, now), presence));
      },
    },
  ];
}

const COLUMNS = ['invited', 'accepted', 'declined', 'maybe', 'waiting', 'lapsed', 'none'] as const;

/** Every activity: its totals, then a table by team and one by institution, every row shown. */
export function answersPage(language: Language, path: string, activities: ActivityAnswers[], presence?: SafeHtml): PageOptions {
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
${table(t.byInstitution, p.institution, a.institutions)}</section>`,
  );
  return {
    language,
    title: t.staffTitle,
    switchLanguageUrl: `${path}?lang=${language === 'pl' ? 'en' : 'pl'}`,
    body: html`${activities.length ? html`<p>${t.staffSummary}</p>${sections}` : html`<p>${p.answersNone}</p>`}${presence ?? ''}`,
  };
}

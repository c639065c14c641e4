import type { ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database, PersonRow } from '../db/tables.js';
import { html, sendPage } from '../http/html/layout.js';
import { sendBadLink } from '../http/me/bad-link-page.js';
import { readForm } from '../http/read-body.js';
import type { Route } from '../http/router.js';
import { sameOrigin } from '../http/same-origin.js';
import { formatDateTime } from '../i18n/format.js';
import { presenceMessages } from '../i18n/presence-messages.js';
import { meetingRoster } from './meeting-roster.js';
import { checkPresenceLink, rosterLabel, submitPresence } from './presence-checkin.js';
import { meetingWindow } from './presence-window.js';

export interface PresenceRoutesOptions {
  db: Kysely<Database>;
  clock: Clock;
  appSecret: string;
  publicUrl: string;
}

const TOKEN = /^\/presence\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;
/** A list of a few hundred people ticked: each box is "p<id>=1". */
const BODY_LIMIT = 64 * 1024;

/**
 * `/presence/{signedToken}`: the check-in's presence list for e-mail (and anyone who prefers the
 * web), for one coordinator and one meeting. GET shows it (changes nothing: mail scanners open
 * links), POST records it. The link names its person; roles and time are checked again on every
 * request (a demoted coordinator's link stops working, a member's forged POST records nothing).
 */
export function presenceRoutes(options: PresenceRoutesOptions): Route[] {
  return [
    { method: 'GET', path: TOKEN, name: 'presence_page', handler: async (_req, res, [token]) => show(options, res, token!) },
    {
      method: 'POST',
      path: TOKEN,
      name: 'presence_submit',
      handler: async (req, res, [token]) => {
        const opened = await open(options, res, token!);
        if (!opened) return;
        const t = presenceMessages[opened.person.language];
        if (!sameOrigin(req, options.publicUrl)) return sendPage(res, 403, { language: opened.person.language, title: t.refusedTitle, body: html`<p class="notice bad">${t.crossSite}</p>` });
        const form = await readForm(req, BODY_LIMIT);
        const ticked = Object.keys(form)
          .map((k) => /^p(\d{1,12})$/.exec(k)?.[1])
          .filter((id): id is string => id !== undefined);
        const result = await submitPresence(options.db, options.clock, opened.person, opened.teamId, opened.date, ticked.join(','));
        const notice = html`<div class="notice ${result.ok ? 'ok' : 'bad'}" role="${result.ok ? 'status' : 'alert'}"><p><strong>${result.message.title}</strong></p><p>${result.message.text}</p></div>`;
        if (!result.ok) return sendPage(res, result.status, { language: opened.person.language, title: t.refusedTitle, body: notice });
        await page(options, res, 200, opened, notice);
      },
    },
  ];
}

interface Opened {
  person: PersonRow;
  teamId: string;
  date: string;
  token: string;
}

async function open(options: PresenceRoutesOptions, res: ServerResponse, token: string): Promise<Opened | undefined> {
  const link = checkPresenceLink(options.appSecret, token, options.clock.now());
  if (!link.ok) return void sendBadLink(res, link.status, 'pl', 'form');
  const person = await options.db.selectFrom('people').selectAll().where('id', '=', link.personId).where('removed_at', 'is', null).executeTakeFirst();
  if (!person) return void sendBadLink(res, 410, 'pl', 'form');
  return { person, teamId: link.teamId, date: link.date, token };
}

async function show(options: PresenceRoutesOptions, res: ServerResponse, token: string): Promise<void> {
  const opened = await open(options, res, token);
  if (opened) await page(options, res, 200, opened);
}

/** The list as a form: a checkbox a person, pre-filled as recorded or from the answers. */
async function page(options: PresenceRoutesOptions, res: ServerResponse, status: number, opened: Opened, notice: unknown = ''): Promise<void> {
  const language = opened.person.language;
  const t = presenceMessages[language];
  const window = await meetingWindow(options.db, opened.teamId, opened.date);
  if (!window) return sendPage(res, 404, { language, title: t.refusedTitle, body: html`<p class="notice bad">${t.refusal.no_subject}</p>` });
  const roster = await meetingRoster(options.db, opened.teamId, opened.date);
  const boxes = roster.map(
    (e) => html`<li><input type="checkbox" id="p${e.personId}" name="p${e.personId}" value="1"${e.ticked ? html` checked` : ''}> <label for="p${e.personId}">${rosterLabel(e, language)}</label></li>`,
  );
  sendPage(res, status, {
    language,
    title: t.formTitle,
    body: html`${notice}<p>${t.formLinkText(formatDateTime(window.start, language))}</p>
<form method="post" action="/presence/${opened.token}"><fieldset><legend>${t.fieldPresent}</legend><ul class="plain">${boxes}</ul></fieldset>
<p><button type="submit">${t.submit}</button></p></form>`,
  });
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import type { Language } from '../i18n/messages.js';
import { unsubscribeMessages } from '../i18n/unsubscribe-messages.js';
import { preferencesUrl } from '../preferences/preference-links.js';
import { isMutableKind, muteKind, type MutableKind } from '../preferences/preferences.js';
import { verifyLink } from '../security/signed-links.js';
import { html, sendPage } from './html/layout.js';
import { sendBadLink } from './me/bad-link-page.js';
import { readBody } from './read-body.js';
import type { Route } from './router.js';

interface Options {
  db: Kysely<Database>;
  clock: Clock;
  appSecret: string;
  publicUrl: string;
}

type Resolved = { ok: true; personId: number; language: Language; kind: MutableKind } | { ok: false; status: number; expired: boolean };

/**
 * `/unsubscribe/{signedToken}` (RFC 8058 one-click unsubscribe, the URL of List-Unsubscribe):
 * a POST mutes that kind of message for the person and answers 200 with a short page; mail
 * providers POST "List-Unsubscribe=One-Click" themselves. A GET only shows a confirm button,
 * because mail scanners open every link they see.
 */
export function unsubscribeRoutes(options: Options): Route[] {
  const path = /^\/unsubscribe\/([^/]+)$/;
  return [
    { method: 'GET', path, name: 'unsubscribe', handler: (req, res, [token]) => confirmPage(options, res, token ?? '') },
    { method: 'POST', path, name: 'unsubscribe', handler: (req, res, [token]) => unsubscribe(options, req, res, token ?? '') },
  ];
}

async function resolve({ db, clock, appSecret }: Options, token: string): Promise<Resolved> {
  const verified = verifyLink(appSecret, token, 'unsubscribe', clock.now());
  if (!verified.ok) return { ok: false, status: verified.reason === 'expired' ? 410 : 404, expired: verified.reason === 'expired' };
  const kind = verified.payload.kind;
  const personId = Number(verified.payload.subject);
  if (typeof kind !== 'string' || !isMutableKind(kind) || !Number.isSafeInteger(personId)) return { ok: false, status: 404, expired: false };
  const person = await db.selectFrom('people').select(['id', 'language']).where('id', '=', personId).where('removed_at', 'is', null).executeTakeFirst();
  if (!person) return { ok: false, status: 404, expired: false };
  return { ok: true, personId, language: person.language, kind };
}

/** The bilingual bad-link page: the unsubscribe link is an e-mail's, so it names e-mail ways to a new one. */
function refused(res: ServerResponse, problem: Resolved & { ok: false }): void {
  sendBadLink(res, problem.expired ? 410 : 404, 'pl', 'unsubscribe');
}

async function confirmPage(options: Options, res: ServerResponse, token: string): Promise<void> {
  const found = await resolve(options, token);
  if (!found.ok) return refused(res, found);
  const t = unsubscribeMessages[found.language];
  sendPage(res, 200, {
    language: found.language,
    title: t.confirmTitle,
    body: html`<p>${t.confirm(found.kind)}</p>
<form method="post" action="/unsubscribe/${token}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">${t.button}</button></form>`,
  });
}

async function unsubscribe(options: Options, req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
  // The body says only "List-Unsubscribe=One-Click"; the signed token is what counts. One too
  // large is answered by the server (413, refusal-page.ts).
  await readBody(req, 8 * 1024);
  const found = await resolve(options, token);
  if (!found.ok) return refused(res, found);
  const now = options.clock.now();
  await muteKind(options.db, found.personId, found.kind, now);
  const t = unsubscribeMessages[found.language];
  const settings = await preferencesUrl(options.db, options.publicUrl, options.appSecret, found.personId, now);
  sendPage(res, 200, {
    language: found.language,
    title: t.doneTitle,
    body: html`<p class="notice ok">${t.done(found.kind)}</p>
<p>${t.undo} <a href="${settings}">${t.settings}</a></p>`,
  });
}

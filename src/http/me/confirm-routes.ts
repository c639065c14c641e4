import type { IncomingMessage, ServerResponse } from 'node:http';
import { issueFeedTokenIn } from '../../feeds/feed-tokens.js';
import { mePageMessages } from '../../i18n/me-page-messages.js';
import type { Language } from '../../i18n/messages.js';
import { checkLink, useLink } from '../../me/personal-links.js';
import { erasePersonalDataIn } from '../../privacy/personal-data.js';
import { sendPage } from '../html/layout.js';
import { sameOrigin } from '../same-origin.js';
import type { Route } from '../router.js';
import { sendBadLink } from './bad-link-page.js';
import type { MeRoutesOptions } from './me-routes.js';
import { confirmPage, messagePage } from './me-view.js';

/**
 * /me/confirm/{token}: a confirmation sent to the person's own channel. The GET only shows what
 * it will do and a button (mail scanners open links); the POST does it, once.
 */
export function confirmRoutes(options: MeRoutesOptions): Route[] {
  const { db, clock, appSecret, publicUrl } = options;
  const path = /^\/me\/confirm\/([A-Za-z0-9_-]{43})\/?$/;
  const check = async (req: IncomingMessage, token: string) => {
    const asked = new URL(req.url ?? '/', 'http://x').searchParams.get('lang');
    const found = await checkLink(db, token, ['confirm_erase', 'confirm_feed'], clock.now());
    const person = found.ok ? await db.selectFrom('people').select(['id', 'language']).where('id', '=', found.personId).where('removed_at', 'is', null).executeTakeFirst() : undefined;
    const language: Language = asked === 'en' || asked === 'pl' ? asked : (person?.language ?? 'pl');
    return { found: found.ok && person ? found : undefined, status: (found.ok ? 410 : found.status) as 404 | 410, language };
  };
  const refused = (res: ServerResponse, status: 404 | 410, language: Language) => sendBadLink(res, status, language, 'confirm');
  return [
    {
      method: 'GET',
      name: 'me_confirm_form',
      path,
      handler: async (req, res, [token]) => {
        const c = await check(req, token!);
        if (!c.found) return refused(res, c.status, c.language);
        sendPage(res, 200, confirmPage(c.language, `/me/confirm/${token}`, c.found.purpose === 'confirm_erase'));
      },
    },
    {
      method: 'POST',
      name: 'me_confirm',
      path,
      handler: async (req, res, [token]) => {
        const c = await check(req, token!);
        if (!c.found) return refused(res, c.status, c.language);
        const t = mePageMessages[c.language];
        if (!sameOrigin(req, publicUrl)) return sendPage(res, 403, messagePage(c.language, t.forbiddenTitle, t.forbiddenText));
        const { id, purpose, personId } = c.found;
        // The link is spent in the action's own transaction: an action that fails leaves it usable.
        const done = await db.transaction().execute(async (trx) => {
          if (!(await useLink(trx, id, clock.now()))) return false;
          if (purpose === 'confirm_erase') await erasePersonalDataIn(trx, personId, clock);
          else await issueFeedTokenIn(trx, personId, appSecret, clock);
          return true;
        });
        if (!done) return refused(res, 404, c.language);
        options.changed?.();
        if (purpose === 'confirm_erase') return sendPage(res, 200, messagePage(c.language, t.erasedTitle, t.erasedText));
        sendPage(res, 200, messagePage(c.language, t.confirmTitle(false), t.feedRenewed));
      },
    },
  ];
}

import type { IncomingMessage } from 'node:http';
import { issueFeedToken } from '../../feeds/feed-tokens.js';
import { mePageMessages } from '../../i18n/me-page-messages.js';
import type { Language } from '../../i18n/messages.js';
import { checkLink, useLink } from '../../me/personal-links.js';
import { erasePersonalData } from '../../privacy/personal-data.js';
import { sendPage } from '../html/layout.js';
import { sameOrigin } from '../same-origin.js';
import type { Route } from '../router.js';
import type { MeRoutesOptions } from './me-routes.js';
import { confirmPage, messagePage } from './me-view.js';

/**
 * /me/confirm/{token}: a confirmation sent to the person's own channel. The GET only shows what
 * it will do and a button (mail scanners open links); the POST does it, once.
 */
export function confirmRoutes(options: MeRoutesOptions): Route[] {
  const { db, clock, appSecret, publicUrl } = options;
  const path = /^\/me\/confirm\/([A-Za-z0-9_-]{43})$/;
  const check = async (req: IncomingMessage, token: string) => {
    const asked = new URL(req.url ?? '/', 'http://x').searchParams.get('lang');
    const found = await checkLink(db, token, ['confirm_erase', 'confirm_feed'], clock.now());
    const person = found.ok ? await db.selectFrom('people').select(['id', 'language']).where('id', '=', found.personId).where('removed_at', 'is', null).executeTakeFirst() : undefined;
    const language: Language = asked === 'en' || asked === 'pl' ? asked : (person?.language ?? 'pl');
    return { found: found.ok && person ? found : undefined, status: found.ok ? 410 : found.status, language };
  };
  const refused = (status: number, language: Language) => {
    const t = mePageMessages[language];
    return messagePage(language, status === 410 ? t.expiredTitle : t.notFoundTitle, status === 410 ? t.expiredText : t.notFoundText);
  };
  return [
    {
      method: 'GET',
      name: 'me_confirm_form',
      path,
      handler: async (req, res, [token]) => {
        const c = await check(req, token!);
        if (!c.found) return sendPage(res, c.status, refused(c.status, c.language));
        sendPage(res, 200, confirmPage(c.language, `/me/confirm/${token}`, c.found.purpose === 'confirm_erase'));
      },
    },
    {
      method: 'POST',
      name: 'me_confirm',
      path,
      handler: async (req, res, [token]) => {
        const c = await check(req, token!);
        if (!c.found) return sendPage(res, c.status, refused(c.status, c.language));
        const t = mePageMessages[c.language];
        if (!sameOrigin(req, publicUrl)) return sendPage(res, 403, messagePage(c.language, t.forbiddenTitle, t.forbiddenText));
        if (!(await useLink(db, c.found.id, clock.now()))) return sendPage(res, 404, refused(404, c.language));
        if (c.found.purpose === 'confirm_erase') {
          await erasePersonalData(db, c.found.personId, clock);
          options.changed?.();
          return sendPage(res, 200, messagePage(c.language, t.erasedTitle, t.erasedText));
        }
        await issueFeedToken(db, c.found.personId, appSecret, clock);
        options.changed?.();
        sendPage(res, 200, messagePage(c.language, t.confirmTitle(false), t.feedRenewed));
      },
    },
  ];
}

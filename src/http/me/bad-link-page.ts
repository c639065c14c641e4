import type { ServerResponse } from 'node:http';
import { badLinkMessages, type BadLinkKind } from '../../i18n/bad-link-messages.js';
import type { Language } from '../../i18n/messages.js';
import { html, sendPage } from '../html/layout.js';
import type { Route } from '../router.js';

/**
 * A personal link (/me, a confirmation, an invitation answer, a form, an unsubscribe link) that
 * opens nothing (cut short, unknown, ended: 404; expired: 410), always as a page: people open these links from mail in browsers and mail apps, which do not all ask
 * for HTML. Both languages, the asked-for one first, and how to get a new link on each channel.
 */
export function sendBadLink(res: ServerResponse, status: 404 | 410, first: Language = 'pl', kind: BadLinkKind = 'me'): void {
  const order: Language[] = first === 'en' ? ['en', 'pl'] : ['pl', 'en'];
  const part = (language: Language) => {
    const t = badLinkMessages[language];
    return html`<section lang="${language}"><p class="notice bad">${t.reason(kind, status)}</p><h2>${t.howHeading}</h2><ul><li>${t.email(kind)}</li><li>${t.chat(kind)}</li><li>${t.nobody}</li></ul></section>`;
  };
  const title = `${badLinkMessages[order[0]!].title(status)} / ${badLinkMessages[order[1]!].title(status)}`;
  sendPage(res, status, { language: order[0]!, title, body: html`${order.map(part)}` });
}

/** The language asked for in ?lang=, if any. */
export function askedLanguage(url: string | undefined): Language | undefined {
  const asked = new URL(url ?? '/', 'http://x').searchParams.get('lang');
  return asked === 'en' || asked === 'pl' ? asked : undefined;
}

// A whole token, alone or with one of the page's own paths: those get the page's own answers
// (and a 405 for the wrong method), not this one.
const WHOLE = '[A-Za-z0-9_-]{43}';
const KNOWN = `/(?:confirm/${WHOLE}|${WHOLE}(?:/(?:feed|links/end|preferences|data\\.json|erase|certificate|absence|absence/\\d{1,9}/remove))?)/?$`;

/** Last among the /me routes: any other path under /me is a link cut short or mistyped. */
export const badLinkRoutes: Route[] = (['GET', 'POST'] as const).map((method) => ({
  method,
  name: 'me_bad_link',
  path: new RegExp(`^/me(?!${KNOWN})(?:/.*)?$`),
  handler: (req, res) => sendBadLink(res, 404, askedLanguage(req.url)),
}));

import type { IncomingMessage, ServerResponse } from 'node:http';
import { html, sendPage } from './html/layout.js';
import { sendJson } from './router.js';

/**
 * The server's own answers (starting, nothing here, an error on our side) for a person who
 * opened a link, in both languages: whose language it is is not known at that point. Programs
 * (Slack, Teams, monitoring, curl) keep the JSON they read; a browser asks for text/html.
 */
export const wantsHtml = (req: IncomingMessage): boolean => /\btext\/html\b/.test(String(req.headers.accept ?? ''));

interface Bilingual {
  title: string;
  pl: string;
  en: string;
}

const pages = {
  starting: {
    title: 'Uruchamianie / Starting',
    pl: 'Kooperator właśnie się uruchamia. Prosimy spróbować ponownie za chwilę (odświeżyć stronę).',
    en: 'Kooperator is starting. Please try again in a moment (reload the page).',
  },
  notFound: {
    title: 'Nie ma takiej strony / Page not found',
    pl: 'Pod tym adresem nie ma strony. Jeśli otworzyli Państwo link z wiadomości, prosimy sprawdzić, czy został skopiowany w całości.',
    en: 'There is no page at this address. If you opened a link from a message, please check that all of it was copied.',
  },
  methodNotAllowed: {
    title: 'Nie można otworzyć tego adresu / This address cannot be opened',
    pl: 'Ten adres służy tylko do wysłania formularza, więc nie da się go otworzyć ani odświeżyć. Prosimy otworzyć stronę jeszcze raz z linku poniżej lub z wiadomości.',
    en: 'This address only receives a form, so it cannot be opened or reloaded. Please open the page again from the link below or from the message.',
  },
  failed: (id: string): Bilingual => ({
    title: 'Błąd / Error',
    pl: `Coś poszło nie tak po naszej stronie (błąd ${id}). Prosimy spróbować ponownie za chwilę; jeśli błąd się powtarza, prosimy przekazać ten numer administratorowi serwisu.`,
    en: `Something went wrong on our side (error ${id}). Please try again in a moment; if it happens again, please pass this number on to the service's administrator.`,
  }),
};

function sendBilingual(res: ServerResponse, status: number, page: Bilingual, back?: string): void {
  const link = back ? html`<p><a href="${back}">Powrót do strony</a> / <a href="${back}" lang="en">Back to the page</a></p>` : '';
  sendPage(res, status, { language: 'pl', title: page.title, body: html`<p class="notice bad">${page.pl}</p><p class="notice bad" lang="en">${page.en}</p>${link}` });
}

/**
 * Paths people open from messages (their own page, a form, an answer): a browser, or a mail
 * app that does not say what it accepts, gets a page. The address bar after a refused form
 * is the form's POST address, so Enter there is a GET of it.
 */
const personPage = /^\/(?:me|rsvp|forms|unsubscribe|attendance|certificates)(?:\/|$)/;

/** 405 with Allow; a page in both languages, with a link back to the page the form was on, for a person. */
export function sendMethodNotAllowed(req: IncomingMessage, res: ServerResponse, path: string, allow: string): void {
  res.setHeader('allow', allow);
  if (wantsHtml(req) || personPage.test(path)) {
    const page = /^(\/me\/[A-Za-z0-9_-]{43})\//.exec(path)?.[1];
    return sendBilingual(res, 405, pages.methodNotAllowed, page);
  }
  sendJson(res, 405, { error: 'method_not_allowed', message: `${req.method} is not allowed on ${path}` });
}

/** 503 while start-up runs (migrations, the schedule): Retry-After tells programs when to ask again. */
export function sendStarting(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('retry-after', '1');
  if (wantsHtml(req)) return sendBilingual(res, 503, pages.starting);
  sendJson(res, 503, { error: 'starting', message: 'Kooperator is starting; try again in a second.' });
}

export function sendNotFound(req: IncomingMessage, res: ServerResponse, path: string): void {
  if (wantsHtml(req)) return sendBilingual(res, 404, pages.notFound);
  sendJson(res, 404, { error: 'not_found', message: `Nothing at ${path}` });
}

/** 500 with the id of the log line; never the error's own text. */
export function sendFailed(req: IncomingMessage, res: ServerResponse, id: string): void {
  if (wantsHtml(req)) return sendBilingual(res, 500, pages.failed(id));
  sendJson(res, 500, { error: 'internal', message: `Something went wrong on our side (error ${id}).` });
}

/**
 * A request's path fit for the log: signed links carry their token in the path (and a query
 * may carry more), so the query is dropped and every segment that could be a token, one
 * with a dot (payload.signature) or longer than 24 characters, becomes "…". A short file
 * name such as lodz.ics stays.
 */
export function loggablePath(url: string | undefined): string {
  const path = (url ?? '').split('?', 1)[0]!;
  return path
    .split('/')
    .map((segment) => (segment.length > 24 || (segment.includes('.') && !/^[\w-]{1,16}\.[a-z]{1,5}$/.test(segment)) ? '…' : segment))
    .join('/');
}

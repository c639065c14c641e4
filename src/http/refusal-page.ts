import type { ServerResponse } from 'node:http';
import { html, sendPage } from './html/layout.js';
import { BodyTooLargeError, MalformedBodyError } from './read-body.js';

/**
 * The page for a body the server will not read: the person's language is not known yet (the
 * token in the path is not checked before the body), so it speaks both.
 */
export function sendRefusal(res: ServerResponse, error: BodyTooLargeError | MalformedBodyError): void {
  const tooLarge = error instanceof BodyTooLargeError;
  const kb = tooLarge ? Math.max(1, Math.round(error.limit / 1024)) : 0;
  const title = tooLarge ? 'Za dużo danych / Too much data' : 'Nieprawidłowy formularz / Invalid form';
  const pl = tooLarge
    ? `Za dużo danych: formularz może przesłać najwyżej ${kb} KB. Prosimy skrócić tekst i wysłać go ponownie.`
    : 'Nieprawidłowy formularz: przeglądarka wysłała dane, których nie umiemy odczytać. Prosimy otworzyć stronę ponownie i wysłać formularz jeszcze raz.';
  const en = tooLarge
    ? `Too much data: a form may send at most ${kb} KB. Please shorten the text and send it again.`
    : 'Invalid form: the browser sent data we cannot read. Please open the page again and resend the form.';
  // A client still sending megabytes is not read further: the connection closes after this answer.
  if (tooLarge) res.setHeader('connection', 'close');
  sendPage(res, error.status, { language: 'pl', title, body: html`<p class="notice bad">${pl}</p><p class="notice bad" lang="en">${en}</p>` });
}

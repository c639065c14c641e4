import type { ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import type { CommandContext } from '../bot/commands/context.js';
import type { Clock } from '../clock.js';
import type { Database, PersonRow } from '../db/tables.js';
import { html, sendPage, type SafeHtml } from '../http/html/layout.js';
import { sendBadLink } from '../http/me/bad-link-page.js';
import { readForm } from '../http/read-body.js';
import type { Route } from '../http/router.js';
import { formPageMessages } from '../i18n/form-page-messages.js';
import type { Language } from '../i18n/messages.js';
import type { Logger } from '../log.js';
import type { FormField } from '../ports/channel.port.js';
import { verifyLink } from '../security/signed-links.js';
import { formBodyLimit, formOf, type ReportFormId } from './report-forms.js';
import { submitProblem, submitStatus } from './report-submit.js';

export interface FormRoutesOptions {
  db: Kysely<Database>;
  clock: Clock;
  publicUrl: string;
  appSecret: string;
  log: Logger;
  /** A report was stored: wake the outbox. */
  onChanged?: () => void;
}

const TOKEN = /^\/forms\/([A-Za-z0-9_.-]{10,2000})$/;

/**
 * `GET /forms/{signedToken}` shows the status or problem form of the link's person; a GET
 * changes nothing (mail scanners open links). `POST` stores it once: the link's nonce is the
 * submission key, so sending the page twice stores one report.
 */
export function formRoutes(options: FormRoutesOptions): Route[] {
  return [
    { method: 'GET', path: TOKEN, name: 'form_page', handler: async (_req, res, [token]) => show(options, res, token!) },
    {
      method: 'POST',
      path: TOKEN,
      name: 'form_submit',
      handler: async (req, res, [token]) => {
        const opened = await open(options, token!);
        if (!opened) return notFound(options, res, token!);
        // A body over the limit throws: the server answers with its refusal page in both languages.
        const values = await readForm(req, formBodyLimit(opened.form));
        const ctx: CommandContext = { ...options, person: opened.person, text: '', changed: () => options.onChanged?.() };
        const key = `form:${opened.nonce}`;
        const result = opened.form === 'status' ? await submitStatus(ctx, values, key) : await submitProblem(ctx, values, key, true);
        if (!result.ok) return page(res, 400, opened.person.language, opened.form, values, result.error, result.field);
        sendPage(res, 200, {
          language: result.message.language,
          title: formPageMessages[result.message.language].thanksTitle,
          body: html`<div class="notice ok" role="status"><p><strong>${result.message.title}</strong></p><p>${result.message.text.replace(/\*\*/g, '')}</p></div>`,
        });
      },
    },
  ];
}

async function open(options: FormRoutesOptions, token: string): Promise<{ person: PersonRow; form: ReportFormId; nonce: string } | undefined> {
  const link = verifyLink(options.appSecret, token, 'form', options.clock.now());
  if (!link.ok) return undefined;
  const { subject, form, nonce } = link.payload;
  if ((form !== 'status' && form !== 'problem') || typeof nonce !== 'string') return undefined;
  const person = await options.db.selectFrom('people').selectAll().where('id', '=', Number(subject)).where('removed_at', 'is', null).executeTakeFirst();
  return person ? { person, form, nonce } : undefined;
}

async function show(options: FormRoutesOptions, res: ServerResponse, token: string): Promise<void> {
  const opened = await open(options, token);
  if (!opened) return notFound(options, res, token!);
  page(res, 200, opened.person.language, opened.form, {});
}

/** The bilingual bad-link page (410 expired, else 404): form links go by e-mail, so it names e-mail ways too. */
function notFound(options: FormRoutesOptions, res: ServerResponse, token: string): void {
  const link = verifyLink(options.appSecret, token, 'form', options.clock.now());
  sendBadLink(res, !link.ok && link.reason === 'expired' ? 410 : 404, 'pl', 'form');
}

function page(res: ServerResponse, status: number, language: Language, id: ReportFormId, values: Record<string, string>, error?: string, invalid?: string): void {
  const form = formOf(id, language);
  const t = formPageMessages[language];
  const problem = error ? html`<div class="notice bad" role="alert" id="form-error"><p><strong>${t.errorHeading}</strong></p><p>${error}</p></div>` : '';
  sendPage(res, status, {
    language,
    title: form.title,
    body: html`${problem}<form method="post"${error ? html` aria-describedby="form-error"` : ''}>${form.fields.map((f) => field(f, values[f.id] ?? '', t, f.id === invalid))}
<p><button type="submit">${form.submitLabel}</button></p></form>`,
  });
}

/** One field; the one a refusal names is marked invalid and described by the refusal. */
function field(f: FormField, value: string, t: (typeof formPageMessages)[Language], invalid = false): SafeHtml {
  const label = html`<label for="f-${f.id}">${f.label}${f.required ? html` <span class="muted">${t.required}</span>` : ''}</label>`;
  const required = html`${f.required ? html` required` : ''}${invalid ? html` aria-invalid="true" aria-describedby="form-error"` : ''}`;
  const max = f.maxLength ? html` maxlength="${f.maxLength}"` : '';
  if (f.kind === 'textarea') return html`${label}<textarea id="f-${f.id}" name="${f.id}"${required}${max}>${value}</textarea>`;
  if (f.kind === 'select') {
    const options = (f.options ?? []).map((o) => html`<option value="${o.value}"${o.value === value ? html` selected` : ''}>${o.label}</option>`);
    return html`${label}<select id="f-${f.id}" name="${f.id}"${required}><option value="">${t.choose}</option>${options}</select>`;
  }
  const kind = f.kind === 'number' ? html` type="number" min="0" step="1" inputmode="numeric"` : html` type="text"`;
  return html`${label}<input id="f-${f.id}" name="${f.id}"${kind} value="${value}"${required}${max}>`;
}


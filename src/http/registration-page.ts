import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { ActivityRow, Database, PersonRow } from '../db/tables.js';
import { formPageMessages } from '../i18n/form-page-messages.js';
import type { Language } from '../i18n/messages.js';
import { registrationMessages } from '../i18n/registration-messages.js';
import type { Form, FormField } from '../ports/channel.port.js';
import { registrationFormFor, registrationOutcomeMessage } from '../registration/registration-replies.js';
import { saveRegistration } from '../registration/save-registration.js';
import { html, sendPage, type SafeHtml } from './html/layout.js';
import { MalformedBodyError, readBody } from './read-body.js';
import type { Answered } from '../invitations/plan-activity-reminders.js';

/** A registration form posts a few KB at most: 20 questions of 500 characters, percent-encoded. */
const REGISTRATION_BODY_LIMIT = 64 * 1024;
const STATUS = { unknown_activity: 404, not_invited: 403, cancelled: 409, past: 409, closed: 409, not_accepted: 409, no_questions: 404, invalid: 400 } as const;

/**
 * The registration questions on the web, for people who answer by e-mail: shown on the page the
 * signed "accept" link's POST answers with, and at `/rsvp/{token}/registration` (GET shows the
 * form with the answers given, POST saves; the same signed token, for the same person and
 * activity). What is saved, and what is refused, is what the chat platforms save and refuse.
 */
export function registrationFormHtml(form: Form, action: string, language: Language, error?: { field: string; text: string }, typed?: Record<string, string>): SafeHtml {
  const t = formPageMessages[language];
  const problem = error ? html`<div class="notice bad" role="alert" id="form-error"><p>${error.text}</p></div>` : '';
  const fields = form.fields.map((f) => field(f, typed ? (typed[f.id] ?? '') : (f.value ?? ''), t, f.id === error?.field));
  return html`<section aria-labelledby="registration"><h2 id="registration">${form.title}</h2>${problem}
<form method="post" action="${action}"${error ? html` aria-describedby="form-error"` : ''}>${fields}
<p><button type="submit">${form.submitLabel}</button></p></form></section>`;
}

function field(f: FormField, value: string, t: (typeof formPageMessages)[Language], invalid: boolean): SafeHtml {
  const mark = html`${f.required ? html` <span class="muted">${t.required}</span>` : ''}`;
  const aria = invalid ? html` aria-invalid="true" aria-describedby="form-error"` : '';
  if (f.kind === 'multiselect') {
    const chosen = new Set(value.split(','));
    // One checkbox per option, named "<question>.<option>" (a form repeats no name): read back by readChoices.
    const boxes = (f.options ?? []).map(
      (o) => html`<div><input type="checkbox" id="f-${f.id}-${o.value}" name="${f.id}.${o.value}" value="1"${chosen.has(o.value) ? html` checked` : ''}> <label class="inline" for="f-${f.id}-${o.value}">${o.label}</label></div>`,
    );
    return html`<fieldset${aria}><legend>${f.label}${mark}</legend>${boxes}</fieldset>`;
  }
  const label = html`<label for="f-${f.id}">${f.label}${mark}</label>`;
  const required = html`${f.required ? html` required` : ''}${aria}`;
  if (f.kind === 'select') {
    const options = (f.options ?? []).map((o) => html`<option value="${o.value}"${o.value === value ? html` selected` : ''}>${o.label}</option>`);
    return html`${label}<select id="f-${f.id}" name="${f.id}"${required}><option value="">${t.choose}</option>${options}</select>`;
  }
  return html`${label}<input id="f-${f.id}" name="${f.id}" type="text" value="${value}"${required}${f.maxLength ? html` maxlength="${f.maxLength}"` : ''}>`;
}

/**
 * The posted form as the core's values: plain fields as they are, checkboxes "<q>.<option>"
 * gathered into "<q>" = "a,b" (an option that is no option of the question is passed on, and
 * refused by the core like a forged card submit).
 */
export async function readChoices(req: IncomingMessage): Promise<Record<string, string>> {
  const text = await readBody(req, REGISTRATION_BODY_LIMIT);
  const values: Record<string, string> = {};
  const many = new Map<string, string[]>();
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const at = pair.indexOf('=');
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    let name: string, value: string;
    try {
      [name, value] = at < 0 ? [decode(pair), ''] : [decode(pair.slice(0, at)), decode(pair.slice(at + 1))];
    } catch {
      throw new MalformedBodyError('The form is not valid percent-encoded UTF-8.');
    }
    const dot = name.indexOf('.');
    if (dot > 0) many.set(name.slice(0, dot), [...(many.get(name.slice(0, dot)) ?? []), name.slice(dot + 1)]);
    else values[name] = value;
  }
  for (const [q, options] of many) values[q] = [...(values[q] ? [values[q]] : []), ...options].join(',');
  return values;
}

/** GET: the form with the person's answers; POST: saves them and shows what was saved, or the form again with the refusal. */
export async function registrationPage(
  options: { db: Kysely<Database>; clock: Clock; onAnswered?: (answer: Answered) => void },
  req: IncomingMessage,
  res: ServerResponse,
  found: { person: PersonRow; activity: ActivityRow },
  action: string,
): Promise<void> {
  const { person, activity } = found;
  const language = person.language;
  const t = registrationMessages[language];
  if (req.method === 'POST') {
    const values = await readChoices(req);
    const outcome = await saveRegistration(options.db, options.clock, { activityId: activity.id, personId: person.id, values, language });
    if (outcome.ok && !outcome.unchanged) options.onAnswered?.({ activityId: activity.id, personId: person.id });
    const said = registrationOutcomeMessage(outcome, language);
    if (!outcome.ok && outcome.code === 'invalid') {
      const form = await registrationFormFor(options.db, activity.id, person.id, language);
      return sendPage(res, 400, { language, title: t.refusedTitle, body: registrationFormHtml(form!, action, language, { field: outcome.field, text: outcome.text }, values) });
    }
    const status = outcome.ok ? 200 : STATUS[outcome.code];
    const list = (said.fields ?? []).map((f) => html`<dt>${f.label}</dt><dd>${f.value}</dd>`);
    return sendPage(res, status, { language, title: said.title, body: html`<p class="notice ${outcome.ok ? 'ok' : 'bad'}">${said.text}</p>${list.length ? html`<dl>${list}</dl>` : ''}` });
  }
  const form = await registrationFormFor(options.db, activity.id, person.id, language);
  if (!form) return sendPage(res, 404, { language, title: t.formTitle, body: html`<p class="notice">${t.noQuestions}</p>` });
  sendPage(res, 200, { language, title: `${t.formTitle}: ${activity.title}`, body: registrationFormHtml(form, action, language) });
}

import { randomBytes } from 'node:crypto';
import type { Language } from '../i18n/messages.js';
import { reportMessages } from '../i18n/report-messages.js';
import type { Form, Message } from '../ports/channel.port.js';
import { signLink } from '../security/signed-links.js';
import { MAX_TEXT } from './report-input.js';

export type ReportFormId = 'status' | 'problem';
export const FORM_LINK_DAYS = 7;

export function statusForm(language: Language): Form {
  const t = reportMessages[language];
  return {
    id: 'status',
    title: t.statusFormTitle,
    submitLabel: t.submit,
    fields: [
      { id: 'done', label: t.fieldDone, kind: 'textarea', required: true, maxLength: MAX_TEXT },
      { id: 'next', label: t.fieldNext, kind: 'textarea', required: false, maxLength: MAX_TEXT },
      { id: 'people', label: t.fieldPeople, kind: 'number', required: false },
      { id: 'blockers', label: t.fieldBlockers, kind: 'textarea', required: false, maxLength: MAX_TEXT },
    ],
  };
}

const CATEGORIES = ['organisational', 'legal', 'financial', 'data_reporting', 'audit', 'other'] as const;

export function problemForm(language: Language): Form {
  const t = reportMessages[language];
  return {
    id: 'problem',
    title: t.problemFormTitle,
    submitLabel: t.submit,
    fields: [
      { id: 'category', label: t.fieldCategory, kind: 'select', required: true, options: CATEGORIES.map((c) => ({ value: c, label: t.category(c) })) },
      {
        id: 'urgency',
        label: t.fieldUrgency,
        kind: 'select',
        required: true,
        options: [
          { value: 'normal', label: t.normal },
          { value: 'urgent', label: t.urgent },
        ],
      },
      { id: 'description', label: t.fieldDescription, kind: 'textarea', required: true, maxLength: MAX_TEXT },
      { id: 'link', label: t.fieldLink, kind: 'text', required: false, maxLength: 2000 },
    ],
  };
}

export const formOf = (id: ReportFormId, language: Language): Form => (id === 'status' ? statusForm(language) : problemForm(language));

/** A percent-encoded character is at most 12 bytes (a 4-byte UTF-8 emoji); a field without maxlength (a number, a choice) gets 1 KB. */
const ENCODED_BYTES_PER_CHAR = 12;
const UNBOUNDED_FIELD_BYTES = 1024;

/**
 * The most a browser can post for this form filled within each field's maxlength: the body
 * limit of its POST. The usual 64 KB form limit refused a status form of three full
 * textareas in Ukrainian or Polish (~90 KB encoded) that the page itself let through.
 */
export function formBodyLimit(id: ReportFormId): number {
  return formOf(id, 'pl').fields.reduce(
    (sum, f) => sum + f.id.length + 2 + (f.maxLength ? f.maxLength * ENCODED_BYTES_PER_CHAR : UNBOUNDED_FIELD_BYTES),
    0,
  );
}

/**
 * A signed link to the web form: for e-mail and the terminal, which cannot show a form. The
 * nonce makes each link one submission: sending the same page twice stores one report.
 */
export function formLink(secret: string, publicUrl: string, form: ReportFormId, personId: number, now: Date): string {
  const token = signLink(secret, {
    purpose: 'form',
    subject: String(personId),
    expiresAt: new Date(now.getTime() + FORM_LINK_DAYS * 24 * 3600_000),
    form,
    nonce: randomBytes(9).toString('base64url'),
  });
  return `${publicUrl}/forms/${token}`;
}

/** The answer to "status" or "problem" without text: the form, and a link for channels without forms. */
export function formMessage(form: ReportFormId, language: Language, secret: string, publicUrl: string, personId: number, now: Date): Message {
  const t = reportMessages[language];
  const f = formOf(form, language);
  return {
    language,
    title: f.title,
    text: t.formLinkText,
    form: f,
    links: [{ label: t.openFormLabel, url: formLink(secret, publicUrl, form, personId, now) }],
  };
}

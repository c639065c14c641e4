import { DateTime } from 'luxon';
import type { ProblemReportRow, ReportEventTable } from '../db/tables.js';
import { html, type PageOptions } from '../http/html/layout.js';
import { erasedNamesIn } from '../i18n/erased-person.js';
import { formatDateTime } from '../i18n/format.js';
import type { Language } from '../i18n/messages.js';
import { reportMessages } from '../i18n/report-messages.js';
import { reportPageMessages } from '../i18n/report-page-messages.js';
import { REPORT_ZONE } from './problem-reports.js';
import { MAX_TEXT } from './report-input.js';

export interface ReportPageData {
  language: Language;
  /** The page's own path (with its token): the form posts back to it. */
  path: string;
  report: ProblemReportRow;
  teamName: string;
  reporter: { name: string; email: string; institution: string | null } | undefined;
  events: { action: ReportEventTable['action']; comment: string | null; created_at: Date; name: string | null }[];
  notice?: { ok: boolean; text: string };
  /** What the person typed, shown again when nothing was saved. */
  comment?: string;
}

const when = (at: Date, language: Language) => formatDateTime(DateTime.fromJSDate(at, { zone: REPORT_ZONE }), language);

/** One report for an RCPS person: its fields, description, history, and the answer form. */
export function reportPage(d: ReportPageData): PageOptions {
  const { language, report } = d;
  const t = reportMessages[language];
  const p = reportPageMessages[language];
  const marks = [report.category === 'audit' ? t.markAudit : '', report.urgency === 'urgent' ? t.markUrgent : ''].join('').replace(/ · $/, '');
  const reporter = d.reporter ? `${d.reporter.name} <${d.reporter.email}>${d.reporter.institution ? `, ${d.reporter.institution}` : ''}` : t.deletedPerson;
  const fields: [string, string][] = [
    [t.fieldState, t.state(report.state)],
    [t.fieldCategory, t.category(report.category)],
    [t.fieldUrgency, report.urgency === 'urgent' ? t.urgent : t.normal],
    [t.fieldTeam, d.teamName],
    [t.fieldReporter, reporter],
    [t.fieldCreated, when(report.created_at, language)],
  ];
  // Only a web address may become a link; anything else stays text.
  const document = report.link && /^https?:\/\//i.test(report.link) ? html`<p><strong>${p.document}:</strong> <a href="${report.link}" rel="noreferrer noopener">${report.link}</a></p>` : '';
  const notice = d.notice
    ? html`<div class="notice ${d.notice.ok ? 'ok' : 'bad'}" role="${d.notice.ok ? 'status' : 'alert'}" id="notice">${d.notice.ok ? '' : html`<p><strong>${p.errorHeading}</strong></p>`}<p>${d.notice.text.replace(/\*\*/g, '')}</p></div>`
    : '';
  const history = d.events.map(
    (e) => html`<tr><td>${when(e.created_at, language)}</td><td>${e.name ?? t.deletedPerson}</td><td>${p.event(e.action)}</td><td>${erasedNamesIn(e.comment ?? '', language)}</td></tr>`,
  );
  const buttons = [
    report.state === 'new' ? html`<button type="submit" name="action" value="ack">${t.ackLabel}</button>` : '',
    report.state !== 'resolved' ? html`<button type="submit" name="action" value="resolve">${t.resolveLabel}</button>` : '',
    html`<button type="submit" name="action" value="comment" class="secondary">${p.commentButton}</button>`,
  ];
  return {
    language,
    title: p.title(report.code),
    switchLanguageUrl: `${d.path}?lang=${language === 'pl' ? 'en' : 'pl'}`,
    body: html`${notice}${marks ? html`<p><strong>${marks}</strong></p>` : ''}
<dl>${fields.map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}</dl>
<h2>${p.description}</h2>
${erasedNamesIn(report.description, language).split(/\n+/).map((line) => html`<p>${line}</p>`)}
${document}
<h2>${p.history}</h2>
<table><thead><tr><th scope="col">${p.when}</th><th scope="col">${p.who}</th><th scope="col">${p.what}</th><th scope="col">${p.comment}</th></tr></thead><tbody>${history}</tbody></table>
<h2>${p.answerHeading}</h2>
<form method="post" action="${d.path}?lang=${language}"${d.notice && !d.notice.ok ? html` aria-describedby="notice"` : ''}>
<label for="comment">${p.commentField}</label>
<textarea id="comment" name="comment" maxlength="${MAX_TEXT}">${d.comment ?? ''}</textarea>
<p>${buttons}</p></form>`,
  };
}

/** A page that only says something: a bad, expired or foreign link, in both languages when we do not know whose it is. */
export function reportMessagePage(language: Language | 'both', title: keyof typeof reportPageMessages.pl, text: keyof typeof reportPageMessages.pl): PageOptions {
  const say = (l: Language) => reportPageMessages[l][text] as string;
  const lang = language === 'both' ? 'pl' : language;
  return {
    language: lang,
    title: reportPageMessages[lang][title] as string,
    body: html`<p class="notice bad">${say(lang)}</p>${language === 'both' ? html`<p lang="en">${say('en')}</p>` : ''}`,
  };
}

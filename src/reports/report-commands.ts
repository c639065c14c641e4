import type { ActionHandler, CommandContext, CommandHandler, FormHandler } from '../bot/commands/context.js';
import { personText } from '../ports/person-text.js';
import { preview } from '../domain/preview.js';
import { fold } from '../bot/parse-command.js';
import { formatDateTime } from '../i18n/format.js';
import { reportMessages } from '../i18n/report-messages.js';
import type { Message } from '../ports/channel.port.js';
import { DateTime } from 'luxon';
import { REPORT_ZONE, visibleReports, type ReportAction } from './problem-reports.js';
import { answerReport } from './report-changes.js';
import { formMessage } from './report-forms.js';
import { splitProblemText } from './report-input.js';
import { submitProblem, submitStatus, type Submitted } from './report-submit.js';

const answer = (ctx: CommandContext, title: string, result: Submitted): Message =>
  result.ok
    ? result.message
    : { language: ctx.person.language, title, text: result.error, ...(result.field ? { formError: { fieldId: result.field, text: result.error } } : {}) };

/** `status <tekst>`: a one-line update; `status` alone: the form. */
export const statusCommand: CommandHandler = async (ctx) => {
  const { person, text } = ctx;
  if (!text.trim()) return formMessage('status', person.language, ctx.appSecret, ctx.publicUrl, person.id, ctx.clock.now());
  return answer(ctx, reportMessages[person.language].statusTitle, await submitStatus(ctx, { done: text }));
};

/** `problem <tekst>` (leading "pilny" and a category word are understood); `problem` alone: the form. */
export const problemCommand: CommandHandler = async (ctx) => {
  const { person, text } = ctx;
  if (!text.trim()) return formMessage('problem', person.language, ctx.appSecret, ctx.publicUrl, person.id, ctx.clock.now());
  const parts = splitProblemText(text);
  const result = await submitProblem(ctx, { description: parts.description, ...(parts.category ? { category: parts.category } : {}), ...(parts.urgency ? { urgency: parts.urgency } : {}) });
  return answer(ctx, reportMessages[person.language].problemFormTitle, result);
};

export const statusFormHandler: FormHandler = async (ctx, values) => answer(ctx, reportMessages[ctx.person.language].statusTitle, await submitStatus(ctx, values));
export const problemFormHandler: FormHandler = async (ctx, values) =>
  answer(ctx, reportMessages[ctx.person.language].problemFormTitle, await submitProblem(ctx, values, undefined, true));

/** `zgłoszenia`: the reports I may see, newest first, with buttons for those I may answer. */
export const listReportsCommand: CommandHandler = async ({ db, person }) => {
  const language = person.language;
  const t = reportMessages[language];
  const reports = await visibleReports(db, person);
  if (reports.length === 0) return { language, title: t.listTitle, text: t.listEmpty };
  return {
    language,
    title: t.listTitle,
    text: t.listSummary(reports.length),
    items: reports.map((r) => ({
      title: `${r.code} · ${t.category(r.category)}${r.urgency === 'urgent' ? ` · ${t.urgent}` : ''} · ${t.state(r.state)}`,
      lines: [preview(personText(r.description), 300), formatDateTime(DateTime.fromJSDate(r.created_at, { zone: REPORT_ZONE }), language)],
      ...(person.staff_role && r.state !== 'resolved'
        ? {
            actions: [
              ...(r.state === 'new' ? [{ id: 'report:ack', value: r.code, label: t.ackLabel, style: 'primary' as const }] : []),
              { id: 'report:resolve', value: r.code, label: t.resolveLabel },
            ],
          }
        : {}),
    })),
  };
};

const verbs: Record<string, ReportAction> = {
  przyjmij: 'acknowledged',
  ack: 'acknowledged',
  acknowledge: 'acknowledged',
  rozwiaz: 'resolved',
  resolve: 'resolved',
  komentarz: 'commented',
  comment: 'commented',
};

/** The first word of a text and the rest as typed (a comment keeps its line breaks). */
const firstWord = (text: string): [string, string] => {
  const [, word = '', rest = ''] = /^\s*(\S*)\s*([\s\S]*)$/.exec(text) ?? [];
  return [word, rest.trimEnd()];
};

/**
 * `zgłoszenie LDZ-2027-014 przyjmij|rozwiąż|komentarz [tekst]`, and the short form
 * `zgłoszenie LDZ-2027-014 <tekst>`: text without a verb is a comment (the help says so).
 */
export const reportCommand: CommandHandler = async (ctx) => {
  const [code, afterCode] = firstWord(ctx.text);
  const [verb, afterVerb] = firstWord(afterCode);
  const t = reportMessages[ctx.person.language];
  if (!code || !verb) return { language: ctx.person.language, title: t.listTitle, text: t.usage };
  // Own keys only: a comment beginning with "constructor" is no verb.
  const key = fold(verb);
  const action = Object.hasOwn(verbs, key) ? verbs[key] : undefined;
  return action ? applyChange(ctx, code, action, afterVerb) : applyChange(ctx, code, 'commented', afterCode);
};

/** Buttons "report:ack" and "report:resolve", carrying the report's id. */
export const reportAction: ActionHandler = async (ctx, { actionId, value }) => {
  const action = actionId === 'report:ack' ? 'acknowledged' : actionId === 'report:resolve' ? 'resolved' : undefined;
  if (!action) return { language: ctx.person.language, title: reportMessages[ctx.person.language].listTitle, text: reportMessages[ctx.person.language].usage };
  return applyChange(ctx, value, action, '');
};

async function applyChange(ctx: CommandContext, code: string, action: ReportAction, commentText: string): Promise<Message> {
  const language = ctx.person.language;
  const result = await answerReport(ctx.db, ctx.person, code, action, commentText, ctx.clock.now());
  if (result.ok && !result.duplicate) ctx.changed();
  return { language, title: reportMessages[language].listTitle, text: result.text };
}

import type { CommandContext } from '../bot/commands/context.js';
import { reportMessages } from '../i18n/report-messages.js';
import type { Message } from '../ports/channel.port.js';
import { createProblemReport, reportingTeam } from './problem-reports.js';
import { checkCategory, checkCount, checkLink, checkOptionalText, checkText, checkUrgency, type Checked } from './report-input.js';
import { routeNewReport } from './report-routing.js';
import { saveStatus } from './status-updates.js';

/** A stored submission's answer, or the problem to show next to the form (and its field); a refusal changed nothing. */
export type Submitted = { ok: true; message: Message } | { ok: false; error: string; field?: string };

/** The first refused value, by form field id. */
function firstError(checks: Record<string, Checked<unknown>>): { error: string; field: string } | undefined {
  for (const [field, c] of Object.entries(checks)) if (!c.ok) return { error: c.error, field };
  return undefined;
}

/** A status update from the one-line command, the chat form or the web form. */
export async function submitStatus(ctx: CommandContext, values: Record<string, string | undefined>, submissionKey?: string): Promise<Submitted> {
  const language = ctx.person.language;
  const t = reportMessages[language];
  const team = await reportingTeam(ctx.db, ctx.person.id);
  if (!team) return { ok: false, error: t.noTeam };
  const done = checkText(values.done, language);
  const next = checkOptionalText(values.next, language);
  const people = checkCount(values.people, language);
  const blockers = checkOptionalText(values.blockers, language);
  const refused = firstError({ done, next, people, blockers });
  if (refused || !done.ok || !next.ok || !people.ok || !blockers.ok) return { ok: false, ...refused! };
  const { duplicate } = await saveStatus(
    ctx.db,
    ctx.person,
    { teamId: team.id, done: done.value, nextSteps: next.value, peopleCount: people.value, blockers: blockers.value, ...(submissionKey ? { submissionKey } : {}) },
    ctx.clock.now(),
  );
  return { ok: true, message: { language, title: t.statusTitle, text: duplicate ? t.statusDuplicate : t.statusSaved(team.name) } };
}

/**
 * A problem report: stored with its id and its messages to RCPS in one transaction, confirmed to
 * the reporter. The one-line command may leave out category and urgency ("inny", "zwykły"); a
 * form asks for both, so from a form (`chosen`) an empty choice is refused, naming the field.
 */
export async function submitProblem(ctx: CommandContext, values: Record<string, string | undefined>, submissionKey?: string, chosen = false): Promise<Submitted> {
  const language = ctx.person.language;
  const t = reportMessages[language];
  const team = await reportingTeam(ctx.db, ctx.person.id);
  if (!team) return { ok: false, error: t.noTeam };
  const choice = <T>(given: string | undefined, label: string, check: (g: string | undefined, l: typeof language) => Checked<T>): Checked<T> =>
    chosen && !given?.trim() ? { ok: false, error: t.missingChoice(label) } : check(given, language);
  const category = choice(values.category, t.fieldCategory, checkCategory);
  const urgency = choice(values.urgency, t.fieldUrgency, checkUrgency);
  const description = checkText(values.description, language);
  const link = checkLink(values.link, language);
  const refused = firstError({ category, urgency, description, link });
  if (refused || !category.ok || !urgency.ok || !description.ok || !link.ok) return { ok: false, ...refused! };
  const input = { teamId: team.id, category: category.value, urgency: urgency.value, description: description.value, link: link.value, ...(submissionKey ? { submissionKey } : {}) };
  // The report and its messages to RCPS commit together or not at all: a retry after a
  // failure is then a new submission, never a duplicate of a report nobody was told of.
  const { report, duplicate } = await ctx.db.transaction().execute(async (trx) => {
    const created = await createProblemReport(trx, ctx.person, input, ctx.clock.now());
    if (!created.duplicate) await routeNewReport(trx, created.report);
    return created;
  });
  if (!duplicate) ctx.changed();
  return {
    ok: true,
    message: { language, title: t.problemSavedTitle(report.code), text: duplicate ? t.problemDuplicate(report.code) : t.problemSaved(report.code) },
  };
}

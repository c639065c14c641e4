import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database, PersonRow } from '../db/tables.js';
import { sendPage } from '../http/html/layout.js';
import { BodyTooLargeError, readForm } from '../http/read-body.js';
import type { Route } from '../http/router.js';
import { sameOrigin } from '../http/same-origin.js';
import type { Language } from '../i18n/messages.js';
import { reportMessages } from '../i18n/report-messages.js';
import { reportPageMessages } from '../i18n/report-page-messages.js';
import { canManage, type ReportAction } from './problem-reports.js';
import { answerReport } from './report-changes.js';
import { checkReportLink } from './report-links.js';
import { reportMessagePage, reportPage } from './report-page-view.js';

export interface ReportPageRoutesOptions {
  db: Kysely<Database>;
  clock: Clock;
  appSecret: string;
  publicUrl: string;
  /** A change queued messages to the reporter or RCPS: wake the outbox. */
  onChanged?: () => void;
}

const ACTIONS: Record<string, ReportAction> = { ack: 'acknowledged', resolve: 'resolved', comment: 'commented' };
const DONE = new Set<string>(Object.values(ACTIONS));

type Opened = { person: PersonRow; code: string; language: Language; path: string };

/**
 * `/reports/{signedToken}`: one problem report for one RCPS person, from the link in every RCPS
 * message about it (purpose 'report', 30 days). The GET only shows it (mail scanners open links);
 * the POST acknowledges, resolves or comments under the same rules and audit trail as the chat
 * command `zgłoszenie <id> przyjmij|rozwiąż|komentarz`, then redirects (303) back to the page.
 * A page sent twice changes nothing more: the state is already set, or the same comment within
 * ten minutes is the one stored.
 */
export function reportPageRoutes(options: ReportPageRoutesOptions): Route[] {
  const path = /^\/reports\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;
  return [
    {
      method: 'GET',
      path,
      name: 'report_page',
      handler: async (req, res, [token]) => {
        const opened = await open(options, req, res, token!);
        if (!opened) return;
        const done = new URL(req.url ?? '/', 'http://x').searchParams.get('done');
        await show(options, res, opened, 200, done && DONE.has(done) ? { ok: true, text: doneText(opened, done as ReportAction) } : undefined);
      },
    },
    {
      method: 'POST',
      path,
      name: 'report_answer',
      handler: async (req, res, [token]) => {
        const opened = await open(options, req, res, token!);
        if (!opened) return;
        const p = reportPageMessages[opened.language];
        if (!sameOrigin(req, options.publicUrl)) return sendPage(res, 403, reportMessagePage(opened.language, 'forbiddenTitle', 'forbidden'));
        let form: Record<string, string>;
        try {
          form = await readForm(req);
        } catch (error) {
          if (!(error instanceof BodyTooLargeError)) throw error;
          // The rest of the body is being drained (read-body.ts): closing ends it once the page is out.
          res.setHeader('connection', 'close');
          return show(options, res, opened, 413, { ok: false, text: p.tooLarge });
        }
        const action = ACTIONS[form.action ?? ''];
        if (!action) return show(options, res, opened, 400, { ok: false, text: p.badAction }, form.comment);
        const answer = await answerReport(options.db, opened.person, opened.code, action, form.comment ?? '', options.clock.now());
        if (!answer.ok) return show(options, res, opened, answer.status, { ok: false, text: answer.text }, form.comment);
        if (!answer.duplicate) options.onChanged?.();
        res.writeHead(303, { location: `${opened.path}?done=${action}&lang=${opened.language}`, 'cache-control': 'no-store' });
        res.end();
      },
    },
  ];
}

/** The link's RCPS person and report, or a polite page already sent: 404 forged, 410 expired, 403 no longer RCPS. */
async function open(options: ReportPageRoutesOptions, req: IncomingMessage, res: ServerResponse, token: string): Promise<Opened | undefined> {
  const check = checkReportLink(options.appSecret, token, options.clock.now());
  if (!check.ok) {
    sendPage(res, check.status, check.status === 410 ? reportMessagePage('both', 'expiredTitle', 'expired') : reportMessagePage('both', 'badLinkTitle', 'badLink'));
    return undefined;
  }
  const person = await options.db.selectFrom('people').selectAll().where('id', '=', check.personId).where('removed_at', 'is', null).executeTakeFirst();
  if (!person) {
    sendPage(res, 410, reportMessagePage('both', 'expiredTitle', 'expired'));
    return undefined;
  }
  const asked = new URL(req.url ?? '/', 'http://x').searchParams.get('lang');
  const language: Language = asked === 'en' || asked === 'pl' ? asked : person.language;
  if (!canManage(person)) {
    sendPage(res, 403, reportMessagePage(language, 'notStaffTitle', 'notStaff'));
    return undefined;
  }
  return { person, code: check.code, language, path: `/reports/${token}` };
}

async function show(options: ReportPageRoutesOptions, res: ServerResponse, o: Opened, status: number, notice?: { ok: boolean; text: string }, comment?: string): Promise<void> {
  const { db } = options;
  const report = await db.selectFrom('problem_reports').selectAll().where('code', '=', o.code).executeTakeFirst();
  if (!report) return sendPage(res, 404, reportMessagePage('both', 'badLinkTitle', 'badLink'));
  const team = await db.selectFrom('teams').select('name').where('id', '=', report.team_id).executeTakeFirst();
  const reporter = report.reporter_id ? await db.selectFrom('people').select(['name', 'email', 'institution']).where('id', '=', report.reporter_id).executeTakeFirst() : undefined;
  const events = await db
    .selectFrom('report_events')
    .leftJoin('people', 'people.id', 'report_events.person_id')
    .select(['report_events.action', 'report_events.comment', 'report_events.created_at', 'people.name'])
    .where('report_events.report_id', '=', report.id)
    .orderBy('report_events.created_at')
    .orderBy('report_events.id')
    .execute();
  const data = { language: o.language, path: o.path, report, teamName: team?.name ?? report.team_id, reporter, events };
  sendPage(res, status, reportPage({ ...data, ...(notice ? { notice } : {}), ...(comment !== undefined ? { comment } : {}) }));
}

function doneText(o: Opened, action: ReportAction): string {
  const t = reportMessages[o.language];
  return action === 'commented' ? t.commentedOk(o.code) : t.changedOk(o.code, t.state(action === 'acknowledged' ? 'acknowledged' : 'resolved'));
}

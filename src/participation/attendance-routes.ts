import type { ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { contentDisposition, fileSlug } from '../http/content-disposition.js';
import { html, sendPage } from '../http/html/layout.js';
import { sendBadLink } from '../http/me/bad-link-page.js';
import type { Route } from '../http/router.js';
import { proofMessages } from '../i18n/proof-messages.js';
import { attendanceCsv } from './attendance-csv.js';
import { checkAttendanceLink, type AttendanceListFormat } from './attendance-links.js';
import { loadAttendanceList, type AttendanceList } from './attendance-list.js';
import { writeAttendancePdf } from './attendance-pdf.js';
import { mayViewList } from './list-access.js';

export interface AttendanceRouteOptions {
  db: Kysely<Database>;
  clock: Clock;
  appSecret: string;
}

/**
 * `GET /attendance/{token}.pdf | .csv | .blank.pdf`: the lista obecności behind the signed links
 * of src/participation/attendance-links.ts. A forged link 404, an expired one 410 (the bad-link
 * page, both languages); a viewer who is no longer the team's coordinator or RCPS 403; a
 * subject that is gone (team removed, occurrence cancelled) 404.
 */
export function attendanceRoutes(options: AttendanceRouteOptions): Route[] {
  return [
    {
      method: 'GET',
      path: /^\/attendance\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\.(pdf|csv|blank\.pdf)$/,
      name: 'attendance_list',
      handler: async (_req, res, [token, format]) => serve(options, res, token!, format as AttendanceListFormat),
    },
  ];
}

async function serve(options: AttendanceRouteOptions, res: ServerResponse, token: string, format: AttendanceListFormat): Promise<void> {
  const now = options.clock.now();
  const link = checkAttendanceLink(options.appSecret, token, now);
  if (!link.ok) return sendBadLink(res, link.status, 'pl', 'attendance');
  if (!(await mayViewList(options.db, link.viewerId, link.subject))) return forbidden(res);
  const list = await loadAttendanceList(options.db, link.subject);
  if (!list) return sendBadLink(res, 404, 'pl', 'attendance');
  const blank = format === 'blank.pdf';
  const name = fileName(list, blank, format === 'csv' ? 'csv' : 'pdf');
  const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
  if (format === 'csv') {
    const body = attendanceCsv(list);
    res.writeHead(200, { ...headers, 'content-type': 'text/csv; charset=utf-8', 'content-length': Buffer.byteLength(body), 'content-disposition': contentDisposition('attachment', name) });
    return void res.end(body);
  }
  res.writeHead(200, { ...headers, 'content-type': 'application/pdf', 'content-disposition': contentDisposition('inline', name) });
  await writeAttendancePdf(list, { blank, now }, res);
}

/** lista-obecności-pzk-łódź-2027-01-12.pdf, lista-obecności-do-podpisu-warsztaty-2027-1.pdf */
export function fileName(list: AttendanceList, blank: boolean, extension: 'pdf' | 'csv'): string {
  const what = list.subject.kind === 'meeting' ? fileSlug(list.teamName ?? list.subject.refId) : fileSlug(list.subject.refId);
  const day = list.subject.day ? `-${list.subject.day}` : '';
  return `lista-obecności${blank ? '-do-podpisu' : ''}-${what}${day}.${extension}`;
}

function forbidden(res: ServerResponse): void {
  const { pl, en } = proofMessages;
  sendPage(res, 403, {
    language: 'pl',
    title: `${pl.listForbiddenTitle} / ${en.listForbiddenTitle}`,
    body: html`<p class="notice bad">${pl.listForbidden}</p><p class="notice bad" lang="en">${en.listForbidden}</p>`,
  });
}

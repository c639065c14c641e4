import type { Kysely } from 'kysely';
import type { Occurrence } from '../domain/occurrences.js';
import type { Database } from '../db/tables.js';
import { formatDateTime } from '../i18n/format.js';
import type { Language } from '../i18n/messages.js';
import { participationMessages } from '../i18n/participation-messages.js';
import type { LinkAction, Message, MessageItem } from '../ports/channel.port.js';
import { attendanceListUrl } from './attendance-links.js';
import { membersAt } from './membership-periods.js';

export interface SummaryRow {
  personId: number;
  name: string;
  institution: string | null;
  answer: 'attending' | 'not_attending' | null;
  reason: string | null;
  substituteName: string | null;
  /** Recorded presence after the meeting, when there is any. */
  present: boolean | null;
}

/**
 * Who of a team's members at one occurrence (membersAt: a membership period covering it, so a
 * member who left and came back is not listed for a meeting in between) answered what for it,
 * and (after it) who was present: one query over the members, each joined by its key to their
 * answer (meeting_answers' primary key) and presence (attendance's primary key), so its cost
 * follows the team's size whatever the number of teams (bench/attendance-summary.bench.ts).
 */
export async function loadSummary(db: Kysely<Database>, teamId: string, occurrence: Pick<Occurrence, 'date' | 'start' | 'end'>): Promise<SummaryRow[]> {
  const occurrenceDate = occurrence.date;
  const rows = await membersAt(db, teamId, occurrence)
    .innerJoin('people as p', 'p.id', 'memberships.person_id')
    .leftJoin('meeting_answers as a', (join) =>
      join.onRef('a.person_id', '=', 'memberships.person_id').on('a.team_id', '=', teamId).on('a.occurrence_date', '=', occurrenceDate),
    )
    .leftJoin('people as s', 's.id', 'a.substitute_person_id')
    .leftJoin('attendance as t', (join) =>
      join.onRef('t.person_id', '=', 'memberships.person_id').on('t.kind', '=', 'meeting').on('t.ref_id', '=', teamId).on('t.day', '=', occurrenceDate),
    )
    .select(['p.id', 'p.name', 'p.institution', 'a.answer', 'a.reason', 's.name as substitute_name', 't.present'])
    .where('p.removed_at', 'is', null)
    .execute();
  return rows.map((r) => ({
    personId: r.id,
    name: r.name,
    institution: r.institution,
    answer: (r.answer as SummaryRow['answer']) ?? null,
    reason: r.reason ?? null,
    substituteName: r.substitute_name ?? null,
    present: r.present ?? null,
  }));
}

export interface SummaryLinks {
  publicUrl: string;
  secret: string;
  viewerId: number;
  now: Date;
}

/**
 * The summary as a message: counts, then one item per institution with each person's answer
 * (substitute and reason with a "nie będę"), and presence once any is recorded. With `links`
 * (a coordinator or RCPS person), the lista obecności PDF and CSV signed for that viewer; a
 * team's channel gets it without them.
 */
export function summaryMessage(teamName: string, teamId: string, occurrence: Pick<Occurrence, 'date' | 'start'>, rows: SummaryRow[], language: Language, links?: SummaryLinks): Message {
  const t = participationMessages[language];
  const collator = new Intl.Collator(language === 'pl' ? 'pl' : 'en');
  const yes = rows.filter((r) => r.answer === 'attending').length;
  const no = rows.filter((r) => r.answer === 'not_attending').length;
  const recorded = rows.some((r) => r.present !== null);
  const byInstitution = new Map<string, SummaryRow[]>();
  for (const r of rows) {
    const key = r.institution?.trim() || t.noInstitution;
    byInstitution.set(key, [...(byInstitution.get(key) ?? []), r]);
  }
  const items: MessageItem[] = [...byInstitution.entries()]
    .sort(([a], [b]) => collator.compare(a, b))
    .map(([institution, people]) => ({
      title: institution,
      lines: people
        .sort((a, b) => collator.compare(a.name, b.name))
        .map((r) => {
          const said = r.answer === 'attending' ? t.attendingWord : r.answer === 'not_attending' ? t.notAttendingWord : t.noAnswerWord;
          const extra = [r.substituteName ? t.substituteWord(r.substituteName) : undefined, r.reason ? t.reasonWord(r.reason) : undefined].filter(Boolean);
          const presence = recorded ? ` [${r.present ? t.presentWord : t.absentWord}]` : '';
          return `${r.name}: ${said}${extra.length ? ` (${extra.join('; ')})` : ''}${presence}`;
        }),
    }));
  const text = [t.summaryCounts(yes, no, rows.length - yes - no), recorded ? t.summaryPresent(rows.filter((r) => r.present).length, rows.length) : undefined]
    .filter(Boolean)
    .join(' ');
  const listLinks: LinkAction[] = links
    ? [
        { label: t.listPdf, url: attendanceListUrl(links.publicUrl, links.secret, links.viewerId, { kind: 'meeting', refId: teamId, day: occurrence.date }, 'pdf', links.now) },
        { label: t.listCsv, url: attendanceListUrl(links.publicUrl, links.secret, links.viewerId, { kind: 'meeting', refId: teamId, day: occurrence.date }, 'csv', links.now) },
      ]
    : [];
  return {
    language,
    title: t.summaryTitle(teamName, formatDateTime(occurrence.start, language)),
    text,
    items,
    ...(listLinks.length ? { links: listLinks } : {}),
  };
}

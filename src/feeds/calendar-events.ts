import { DateTime } from 'luxon';
import { continuesFrom, expandSeries, occurrenceOn, takesPlace, type MeetingSeries } from '../domain/occurrences.js';
import { parseDuration, zoned } from '../domain/local-time.js';
import { formatDate } from '../i18n/format.js';
import { messages, type Language } from '../i18n/messages.js';
import type { CalendarEvent } from '../ports/calendar.port.js';
import type { FeedActivity, FeedTeam } from './load-feed.js';

export const UID_DOMAIN = 'kooperator';
export const meetingUid = (teamId: string) => `pzk-${teamId}@${UID_DOMAIN}`;
export const activityUid = (activityId: string) => `activity-${activityId}@${UID_DOMAIN}`;

/**
 * A team's meetings as one recurring VEVENT: the RRULE, EXDATEs for cancelled and
 * holiday-skipped dates, and a RECURRENCE-ID override for each moved or shifted one.
 * Holidays are resolved up to `horizon`, and the published series ends there (an UNTIL just
 * before it), so a calendar never expands an occurrence whose holiday nobody decided; the
 * horizon moves on each month and the feed is rendered again, so the series grows with time.
 * A meeting moved from beyond the horizon to before it lengthens the series (publishedEnd).
 */
export function meetingEvents({ team, series, meetings }: FeedTeam, horizon: Date, language: Language = 'pl'): CalendarEvent[] {
  const t = messages[language];
  const start = zoned(series.starts_local, team.timezone);
  const duration = parseDuration(series.duration)!;
  const description = [t.meetingDescription, series.online_url ? t.onlineLink(series.online_url) : undefined].filter(Boolean).join('\n');
  const common = {
    uid: meetingUid(team.id),
    sequence: series.sequence,
    summary: t.meetingTitle(team.name),
    location: series.location,
    ...(series.online_url ? { url: series.online_url } : {}),
    lastModified: laterOf(team.updated_at, series.updated_at),
    categories: ['PZK'],
  };
  const end = publishedEnd(meetings, horizon);
  const occurrences = expandSeries(meetings, start.toJSDate(), end);
  const master: CalendarEvent = {
    ...common,
    description,
    start,
    end: start.plus(duration),
    rrule: boundedRule(meetings, end),
    exdates: occurrences.filter((o) => o.status === 'cancelled' || o.status === 'holiday_skipped').map((o) => o.originalStart),
  };
  const overrides = occurrences
    .filter((o) => o.status === 'moved' || o.status === 'shifted')
    .map<CalendarEvent>((o) => {
      const from = formatDate(o.originalStart, language);
      const note = o.status === 'shifted' && o.holiday ? t.shiftedForHoliday(o.holiday, from) : t.movedFrom(from);
      return { ...common, description: `${description}\n${note}`, start: o.start, end: o.end, recurrenceId: o.originalStart };
    });
  return [master, ...overrides];
}

/**
 * One meeting of another team a person stands in at: a single event of its own UID (their feed
 * holds no series of that team), at the occurrence's time as it now stands.
 */
export function substitutionEvent({ team, series, meetings }: FeedTeam, date: string, answeredAt: Date, language: Language = 'pl'): CalendarEvent[] {
  const occurrence = occurrenceOn(meetings, date);
  if (!occurrence || !takesPlace(occurrence)) return [];
  const t = messages[language];
  return [
    {
      uid: `pzk-${team.id}-${date}-substitute@${UID_DOMAIN}`,
      sequence: series.sequence,
      summary: t.meetingTitle(team.name),
      description: [t.meetingDescription, series.online_url ? t.onlineLink(series.online_url) : undefined].filter(Boolean).join('\n'),
      location: series.location,
      ...(series.online_url ? { url: series.online_url } : {}),
      start: occurrence.start,
      end: occurrence.end,
      lastModified: laterOf(laterOf(team.updated_at, series.updated_at), answeredAt),
      categories: ['PZK'],
    },
  ];
}

export function activityEvent(activity: FeedActivity, language: Language = 'pl'): CalendarEvent {
  const t = messages[language];
  const description = [activity.description, activity.online_url ? t.onlineLink(activity.online_url) : undefined].filter(Boolean).join('\n');
  return {
    uid: activityUid(activity.id),
    sequence: activity.sequence,
    summary: activity.title,
    ...(description ? { description } : {}),
    ...(activity.location ? { location: activity.location } : {}),
    ...(activity.online_url ? { url: activity.online_url } : {}),
    start: zoned(activity.starts_local, activity.timezone),
    end: zoned(activity.ends_local, activity.timezone),
    status: activity.cancelled_at ? 'CANCELLED' : 'CONFIRMED',
    lastModified: activity.updated_at,
    categories: [t.kind(activity.kind)],
  };
}

/**
 * Where the published series ends: the horizon, or the end of the latest rule date beyond it
 * whose meeting was moved before it. Such a meeting's override is written under its rule date
 * (RECURRENCE-ID), which must be an occurrence of the published rule, or no calendar shows it;
 * holidays are decided for any year, so every occurrence up to that end is decided too.
 */
export function publishedEnd(meetings: MeetingSeries, horizon: Date): Date {
  let end = horizon.getTime();
  for (const e of meetings.exceptions) {
    if (!e.movedToLocal || zoned(e.movedToLocal, meetings.timezone).toMillis() >= horizon.getTime()) continue;
    const after = DateTime.fromISO(e.date, { zone: meetings.timezone }).plus({ days: 1 }).toMillis();
    end = Math.max(end, after);
  }
  return new Date(end);
}

/** The rule as published: its own end if that comes before `horizon`, else an UNTIL just before the horizon. */
export function boundedRule(meetings: MeetingSeries, horizon: Date): string {
  const horizonLocal = DateTime.fromJSDate(horizon, { zone: meetings.timezone }).toFormat("yyyy-MM-dd'T'HH:mm");
  if (!continuesFrom(meetings, horizonLocal)) return rruleWithUtcUntil(meetings.rrule, meetings.timezone);
  const open = meetings.rrule
    .split(';')
    .filter((part) => !/^(UNTIL|COUNT)=/i.test(part))
    .join(';');
  const until = DateTime.fromJSDate(horizon, { zone: 'UTC' }).minus({ seconds: 1 }).toFormat("yyyyMMdd'T'HHmmss'Z'");
  return `${open};UNTIL=${until}`;
}

/**
 * In the file UNTIL is local wall time like the rest of the rule; RFC 5545 wants it in UTC
 * when DTSTART has a zone (ical-generator would write it without Z, which parsers reject).
 */
export function rruleWithUtcUntil(rule: string, zone: string): string {
  // Already in UTC (…Z): kept as written, not read again as wall time.
  return rule.replace(/UNTIL=(\d{8})(T(\d{6}))?(?!Z)(?=;|$)/i, (_m, date: string, _t, time?: string) => {
    const local = DateTime.fromFormat(`${date}${time ?? '235959'}`, 'yyyyMMddHHmmss', { zone });
    return `UNTIL=${local.toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'")}`;
  });
}

function laterOf(a: Date, b: Date): Date {
  return a.getTime() > b.getTime() ? a : b;
}

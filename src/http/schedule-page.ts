import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { zoned } from '../domain/local-time.js';
import { expandSeries, takesPlace } from '../domain/occurrences.js';
import { loadActivities, loadTeams } from '../feeds/feed-data.js';
import { formatDateTime } from '../i18n/format.js';
import { messages } from '../i18n/messages.js';
import { escapeHtml, sendText, type Route } from './router.js';

interface Item {
  start: DateTime;
  title: string;
  place: string;
  online: string | null;
  feed?: string;
}

/** GET /: the next eight weeks of meetings and public activities, with subscribe links. */
export function schedulePageRoute(db: Kysely<Database>, clock: Clock, publicUrl: string): Route {
  return {
    method: 'GET',
    name: 'schedule_page',
    path: /^\/$/,
    handler: async (_req, res) => {
      const now = clock.now();
      const until = DateTime.fromJSDate(now).plus({ weeks: 8 }).toJSDate();
      const t = messages.pl;
      const items: Item[] = [];
      for (const { team, series, meetings } of await loadTeams(db)) {
        for (const o of expandSeries(meetings, now, until).filter(takesPlace)) {
          items.push({ start: o.start, title: t.meetingTitle(team.name), place: series.location, online: series.online_url, feed: `/calendars/teams/${team.id}.ics` });
        }
      }
      for (const a of await loadActivities(db, { kind: 'public' })) {
        if (a.cancelled_at || a.ends_at < now || a.starts_at > until) continue;
        items.push({ start: zoned(a.starts_local, a.timezone), title: a.title, place: a.location ?? '', online: a.online_url });
      }
      items.sort((a, b) => a.start.toMillis() - b.start.toMillis());
      sendText(res, 200, page(items, publicUrl), 'text/html; charset=utf-8');
    },
  };
}

function page(items: Item[], publicUrl: string): string {
  const all = `${publicUrl}/calendars/all.ics`;
  const webcal = all.replace(/^https?:/, 'webcal:');
  const rows = items
    .map(
      (i) => `<li><strong>${escapeHtml(formatDateTime(i.start, 'pl'))}</strong> — ${escapeHtml(i.title)}<br>${escapeHtml(i.place)}${
        i.online ? ` · <a href="${escapeHtml(i.online)}">spotkanie online</a>` : ''
      }${i.feed ? ` · <a href="${escapeHtml(i.feed)}">kalendarz zespołu</a>` : ''}</li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="pl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kooperator – harmonogram</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}a{color:#0b4f9c}li{margin:.75rem 0}</style>
</head><body>
<h1>Harmonogram spotkań PZK i działań RCPS</h1>
<p>Subskrybuj cały kalendarz: <a href="${escapeHtml(webcal)}">dodaj do kalendarza (Outlook, Apple)</a> · <a href="${escapeHtml(all)}">adres https</a></p>
<h2>Najbliższe 8 tygodni</h2>
<ul>
${rows || '<li>Brak zaplanowanych spotkań.</li>'}
</ul>
</body></html>`;
}

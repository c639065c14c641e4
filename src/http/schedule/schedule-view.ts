import type { DateTime } from 'luxon';
import { formatDateTime, formatTime } from '../../i18n/format.js';
import { messages, type Language } from '../../i18n/messages.js';
import { schedulePageMessages } from '../../i18n/schedule-page-messages.js';
import { html, renderPage, type SafeHtml } from '../html/layout.js';
import { feedLinks, subscribeBlock } from './subscribe-links.js';
import { filterItems, ITEM_KINDS, type ItemKind, type Upcoming, type UpcomingItem } from './upcoming.js';

export const PAGE_SIZE = 100;

export interface ScheduleQuery {
  language: Language;
  team?: string;
  kind?: ItemKind;
  page: number;
}

/** Only known values count; anything else is as if it were not given (so the cache stays small). */
export function readQuery(search: URLSearchParams, teams: ReadonlySet<string>): ScheduleQuery {
  const team = search.get('team') ?? '';
  const kind = search.get('kind') ?? '';
  const page = Number(search.get('page') ?? '1');
  return {
    language: search.get('lang') === 'en' ? 'en' : 'pl',
    ...(teams.has(team) ? { team } : {}),
    ...((ITEM_KINDS as string[]).includes(kind) ? { kind: kind as ItemKind } : {}),
    page: Number.isInteger(page) && page >= 1 && page <= 10_000 ? page : 1,
  };
}

export function queryString(q: ScheduleQuery, over: Partial<ScheduleQuery> = {}): string {
  const v = { ...q, ...over };
  const params = new URLSearchParams();
  if (v.language === 'en') params.set('lang', 'en');
  if (v.team) params.set('team', v.team);
  if (v.kind) params.set('kind', v.kind);
  if (v.page > 1) params.set('page', String(v.page));
  const text = params.toString();
  return text ? `/?${text}` : '/';
}

/** The page at `now`: what has ended is left out. */
export function renderSchedulePage(data: Upcoming, q: ScheduleQuery, publicUrl: string, now: Date): string {
  const t = schedulePageMessages[q.language];
  const m = messages[q.language];
  const chosen = filterItems(data.items, q.team, q.kind, now);
  const pages = Math.max(1, Math.ceil(chosen.length / PAGE_SIZE));
  const page = Math.min(q.page, pages);
  const shown = chosen.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  const teamName = data.teams.find((x) => x.id === q.team)?.name;
  const kindName = (kind: ItemKind) => (kind === 'meeting' ? t.meetingKind : m.kind(kind));

  const filters = html`<section aria-labelledby="filters-h"><h2 id="filters-h">${t.filtersHeading}</h2>
<form method="get" action="/" class="filters">
${q.language === 'en' ? html`<input type="hidden" name="lang" value="en">` : ''}
<div><label for="team">${t.teamLabel}</label><select id="team" name="team">
<option value="">${t.allTeams}</option>
${data.teams.map((x) => html`<option value="${x.id}"${x.id === q.team ? html` selected` : ''}>${x.name}</option>`)}
</select></div>
<div><label for="kind">${t.kindLabel}</label><select id="kind" name="kind">
<option value="">${t.allKinds}</option>
${ITEM_KINDS.map((k) => html`<option value="${k}"${k === q.kind ? html` selected` : ''}>${kindName(k)}</option>`)}
</select></div>
<div><button type="submit">${t.show}</button></div>
</form></section>`;

  const list = html`<section aria-labelledby="list-h"><h2 id="list-h">${t.listHeading}</h2>
<p>${chosen.length ? t.found(chosen.length) : t.none}</p>
${shown.length ? html`<ol class="events">${shown.map((item) => itemHtml(item, q.language))}</ol>` : ''}
${pages > 1 ? pager(q, page, pages) : ''}
</section>`;

  const subscribe = html`<section aria-labelledby="subscribe-h"><h2 id="subscribe-h">${t.subscribeHeading}</h2>
<p>${t.subscribeIntro}</p>
${subscribeBlock(t, 'feed-all', t.allFeed, feedLinks(publicUrl, '/calendars/all.ics', m.calendarAll))}
${q.team && teamName ? subscribeBlock(t, `feed-${q.team}`, t.teamFeed(teamName), feedLinks(publicUrl, `/calendars/teams/${q.team}.ics`, m.calendarTeam(teamName))) : ''}
<p><a href="/subscribe${q.language === 'en' ? '?lang=en' : ''}">${t.allTeamFeeds}</a></p>
</section>`;

  return renderPage({
    language: q.language,
    title: t.title,
    body: html`<p>${t.intro}</p>${filters}${list}${subscribe}`,
    switchLanguageUrl: queryString(q, { language: q.language === 'pl' ? 'en' : 'pl' }),
    scripts: ['/assets/copy.js'],
  });
}

/** "wtorek, 12 stycznia 2027, 10:00–12:00", or both whole ends when it ends on another day. */
function span(start: DateTime, end: DateTime, language: Language): string {
  const to = end.setZone(start.zone);
  return to.hasSame(start, 'day') ? `${formatDateTime(start, language)}–${formatTime(to, language)}` : `${formatDateTime(start, language)} – ${formatDateTime(to, language)}`;
}

function itemHtml(item: UpcomingItem, language: Language): SafeHtml {
  const t = schedulePageMessages[language];
  const m = messages[language];
  const title = item.kind === 'meeting' ? m.meetingTitle(item.teamName ?? '') : m.activityTitle(item.kind, item.title ?? '');
  const what = html`<span class="when"><time datetime="${item.start.toISO() ?? ''}">${span(item.start, item.end, language)}</time></span>
${title}`;
  const attributes = html`data-kind="${item.kind}"${item.teamId ? html` data-team="${item.teamId}"` : ''}`;
  // A cancelled one stays in the list, struck through and said in words (a strike alone is not read out), without its place and link.
  if (item.cancelled) return html`<li ${attributes} class="cancelled"><s>${what}</s> <strong>${t.cancelled(item.kind)}</strong></li>`;
  return html`<li ${attributes}>${what}${item.place ? html`<br><span class="muted">${t.place}:</span> ${item.place}` : ''}${
    item.online ? html`<br><a href="${item.online}">${t.online}</a>` : ''
  }</li>`;
}

function pager(q: ScheduleQuery, page: number, pages: number): SafeHtml {
  const t = schedulePageMessages[q.language];
  return html`<nav class="pages" aria-label="${t.pageOf(page, pages)}"><span>${t.pageOf(page, pages)}</span>
${page > 1 ? html`<a href="${queryString(q, { page: page - 1 })}" rel="prev">${t.previous}</a>` : ''}
${page < pages ? html`<a href="${queryString(q, { page: page + 1 })}" rel="next">${t.next}</a>` : ''}</nav>`;
}

/** GET /subscribe: every team's feed with the same four ways to subscribe. */
export function renderSubscribePage(data: Upcoming, language: Language, publicUrl: string): string {
  const t = schedulePageMessages[language];
  const m = messages[language];
  return renderPage({
    language,
    title: t.subscribePageTitle,
    body: html`<p>${t.subscribePageIntro}</p><p><a href="${language === 'en' ? '/?lang=en' : '/'}">${t.backToSchedule}</a></p>
${subscribeBlock(t, 'feed-all', t.allFeed, feedLinks(publicUrl, '/calendars/all.ics', m.calendarAll), 'h2')}
${data.teams.map((x) => subscribeBlock(t, `feed-${x.id}`, t.teamFeed(x.name), feedLinks(publicUrl, `/calendars/teams/${x.id}.ics`, m.calendarTeam(x.name)), 'h2'))}`,
    switchLanguageUrl: language === 'en' ? '/subscribe' : '/subscribe?lang=en',
    scripts: ['/assets/copy.js'],
  });
}

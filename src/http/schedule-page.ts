import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import { currentDataVersion } from '../db/data-version-watch.js';
import type { Database } from '../db/tables.js';
import { sendHtml } from './html/layout.js';
import type { Route } from './router.js';
import { queryString, readQuery, renderSchedulePage, renderSubscribePage } from './schedule/schedule-view.js';
import { endedCount, loadUpcoming, type Upcoming } from './schedule/upcoming.js';

export interface SchedulePageOptions {
  db: Kysely<Database>;
  clock: Clock;
  publicUrl: string;
  /** The zone whose calendar day the page starts from. */
  timezone: string;
}

/** Distinct pages kept in memory; beyond it the cache starts over (filters × languages × pages). */
const MAX_PAGES = 2000;

/**
 * GET / and GET /subscribe. Computing eight weeks of 500 teams' meetings takes tens of
 * milliseconds, so the list is computed once per data version and calendar day, and each
 * rendered page (language, filter, page number) is kept as bytes until either changes, the
 * way FeedService keeps feeds.
 */
export class SchedulePages {
  private key = '';
  private upcoming: Promise<Upcoming> | undefined;
  private readonly pages = new Map<string, Buffer>();

  constructor(private readonly options: SchedulePageOptions) {}

  routes(): Route[] {
    return [
      { method: 'GET', name: 'schedule_page', path: /^\/$/, handler: async (req, res) => sendHtml(res, 200, await this.page(req.url ?? '/'), 'public, max-age=60') },
      {
        method: 'GET',
        name: 'subscribe_page',
        path: /^\/subscribe$/,
        handler: async (req, res) => sendHtml(res, 200, await this.subscribePage(req.url ?? '/'), 'public, max-age=60'),
      },
    ];
  }

  async page(url: string): Promise<Buffer> {
    const data = await this.data();
    const q = readQuery(new URL(url, 'http://x').searchParams, data.teamIds);
    // The day's list is kept; a page is rendered again each time another event has ended.
    const now = this.options.clock.now();
    return this.remember(`${queryString(q)}|${endedCount(data, now)}`, () => renderSchedulePage(data, q, this.options.publicUrl, now));
  }

  async subscribePage(url: string): Promise<Buffer> {
    const data = await this.data();
    const language = new URL(url, 'http://x').searchParams.get('lang') === 'en' ? 'en' : 'pl';
    return this.remember(`subscribe:${language}`, () => renderSubscribePage(data, language, this.options.publicUrl));
  }

  private remember(key: string, render: () => string): Buffer {
    let page = this.pages.get(key);
    if (!page) {
      if (this.pages.size >= MAX_PAGES) this.pages.clear();
      page = Buffer.from(render(), 'utf8');
      this.pages.set(key, page);
    }
    return page;
  }

  private async data(): Promise<Upcoming> {
    const version = await currentDataVersion(this.options.db);
    const today = DateTime.fromJSDate(this.options.clock.now(), { zone: this.options.timezone }).startOf('day');
    const key = `${version}|${today.toISODate()}`;
    if (key !== this.key || !this.upcoming) {
      this.key = key;
      this.pages.clear();
      const loading = loadUpcoming(this.options.db, today.toJSDate());
      this.upcoming = loading;
      loading.catch(() => {
        if (this.upcoming === loading) this.upcoming = undefined;
      });
    }
    return this.upcoming;
  }


  /** Forget everything now (after a change made in this process). */
  invalidate(): void {
    this.upcoming = undefined;
    this.pages.clear();
  }
}

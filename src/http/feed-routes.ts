import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FeedService, RenderedFeed } from '../feeds/feed-service.js';
import type { Metrics } from './metrics.js';
import { sendJson, type FastPath, type Route } from './router.js';

type FeedRoute = 'feed_all' | 'feed_team' | 'feed_person';

/** The iCal feeds of CONTRACT.md, with ETag and 304. */
export function feedRoutes(feeds: FeedService): Route[] {
  return [
    { method: 'GET', name: 'feed_all', path: /^\/calendars\/all\.ics$/, handler: async (req, res) => serve(req, res, await feeds.all(), 'public') },
    {
      method: 'GET',
      name: 'feed_team',
      path: /^\/calendars\/teams\/([a-z0-9-]+)\.ics$/,
      handler: async (req, res, [teamId]) => serve(req, res, await feeds.team(teamId!), 'public'),
    },
    {
      method: 'GET',
      name: 'feed_person',
      path: /^\/calendars\/u\/([^/]+)\.ics$/,
      handler: async (req, res, [token]) => serve(req, res, await feeds.person(token!), 'private'),
    },
  ];
}

const ALL = '/calendars/all.ics';
const TEAMS = '/calendars/teams/';
const PERSONS = '/calendars/u/';
const TEAM_ID = /^[a-z0-9-]+$/;
const TOKEN = /^[A-Za-z0-9_-]{20,100}$/;

/**
 * Feeds are most of the service's requests (every subscribed calendar asks every few minutes)
 * and the answer is nearly always the same bytes or a 304. This runs before any routing: a GET
 * or HEAD of a feed whose bytes are built for the data version known in memory is answered
 * here, synchronously, with header arrays made once per feed version, without the database,
 * a promise or a per-request timer. Anything else (a feed not built yet or changed since,
 * a version not known without a read, a token not seen in this version, other paths) falls
 * through to feedRoutes(), which builds, checks and answers as before. Personal feeds come
 * here only when this process is the database's only writer (PGlite): on a shared database
 * each request's token is checked in the database first (FeedService's sharedDatabase).
 */
export function feedFastPath(feeds: FeedService, metrics: Pick<Metrics, 'httpRequests'>): FastPath {
  // The request counter's labels made once; answers here are counted, not timed (no per-request
  // timer, 'finish' listener or histogram: they cost more than the answer itself).
  const labels = (route: FeedRoute) => ({ 200: { route, status: 200 }, 304: { route, status: 304 } });
  const counted = { feed_all: labels('feed_all'), feed_team: labels('feed_team'), feed_person: labels('feed_person') };
  return (req, res) => {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') return false;
    const url = req.url!;
    if (!url.startsWith('/calendars/')) return false;
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    if (!path.endsWith('.ics')) return false;
    let route: FeedRoute;
    let key: string | undefined;
    if (path === ALL) {
      route = 'feed_all';
      key = 'all';
    } else if (path.startsWith(TEAMS)) {
      const id = path.slice(TEAMS.length, -4);
      if (!TEAM_ID.test(id)) return false;
      route = 'feed_team';
      key = `team:${id}`;
    } else if (path.startsWith(PERSONS)) {
      const token = path.slice(PERSONS.length, -4);
      if (!TOKEN.test(token)) return false;
      route = 'feed_person';
      key = feeds.personKey(token);
    } else return false;
    const feed = key === undefined ? undefined : feeds.peek(key);
    if (!feed) return false;
    metrics.httpRequests.inc(counted[route][answer(req, res, feed, route === 'feed_person' ? 'private' : 'public')]);
    return true;
  };
}

function serve(req: IncomingMessage, res: ServerResponse, feed: RenderedFeed | undefined, access: Access): void {
  // The same answer for a token that never existed and one that was revoked.
  if (!feed) return sendJson(res, 404, { error: 'not_found', message: 'No such calendar.' });
  answer(req, res, feed, access);
}

type Access = 'public' | 'private';

/** The raw header lists of one feed version, made once (writeHead then builds no header object). */
interface Prepared {
  ok: string[];
  notModified: string[];
}

const prepared: Record<Access, WeakMap<RenderedFeed, Prepared>> = { public: new WeakMap(), private: new WeakMap() };

function prepare(feed: RenderedFeed, access: Access): Prepared {
  let headers = prepared[access].get(feed);
  if (!headers) {
    // A personal feed is for its owner only: no shared cache may keep it.
    const common = ['etag', feed.etag, 'cache-control', `${access}, max-age=300`, 'content-type', 'text/calendar; charset=utf-8'];
    headers = { ok: [...common, 'content-length', String(feed.body.length)], notModified: common };
    prepared[access].set(feed, headers);
  }
  return headers;
}

function answer(req: IncomingMessage, res: ServerResponse, feed: RenderedFeed, access: Access): 200 | 304 {
  const headers = prepare(feed, access);
  if (matches(req.headers['if-none-match'], feed.etag)) {
    res.writeHead(304, headers.notModified);
    res.end();
    return 304;
  }
  res.writeHead(200, headers.ok);
  res.end(req.method === 'HEAD' ? undefined : feed.body);
  return 200;
}

function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header === etag) return true;
  return header === '*' || header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

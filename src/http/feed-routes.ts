import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FeedService, RenderedFeed } from '../feeds/feed-service.js';
import { sendJson, type Route } from './router.js';

/** The iCal feeds of CONTRACT.md, with ETag and 304. */
export function feedRoutes(feeds: FeedService): Route[] {
  return [
    { method: 'GET', name: 'feed_all', path: /^\/calendars\/all\.ics$/, handler: async (req, res) => serve(req, res, await feeds.all()) },
    {
      method: 'GET',
      name: 'feed_team',
      path: /^\/calendars\/teams\/([a-z0-9-]+)\.ics$/,
      handler: async (req, res, [teamId]) => serve(req, res, await feeds.team(teamId!)),
    },
    {
      method: 'GET',
      name: 'feed_person',
      path: /^\/calendars\/u\/([^/]+)\.ics$/,
      handler: async (req, res, [token]) => serve(req, res, await feeds.person(token!)),
    },
  ];
}

function serve(req: IncomingMessage, res: ServerResponse, feed: RenderedFeed | undefined): void {
  // The same answer for a token that never existed and one that was revoked.
  if (!feed) return sendJson(res, 404, { error: 'not_found', message: 'No such calendar.' });
  const headers = {
    etag: feed.etag,
    'cache-control': req.url?.startsWith('/calendars/u/') ? 'private, max-age=300' : 'public, max-age=300',
    'content-type': 'text/calendar; charset=utf-8',
  };
  if (matches(req.headers['if-none-match'], feed.etag)) {
    res.writeHead(304, headers);
    return void res.end();
  }
  res.writeHead(200, { ...headers, 'content-length': feed.body.length });
  res.end(req.method === 'HEAD' ? undefined : feed.body);
}

function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header === '*' || header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

import type { IncomingMessage } from 'node:http';

/**
 * True when a POST came from one of our pages (or from a client that sends no Origin). Pages
 * behind signed links refuse the rest as a second line against cross-site posts: browsers send
 * Origin on every cross-site form post.
 */
export function sameOrigin(req: IncomingMessage, publicUrl: string): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  const host = req.headers.host;
  return origin === new URL(publicUrl).origin || (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`));
}

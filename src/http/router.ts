import type { IncomingMessage, ServerResponse } from 'node:http';

export type Handler = (req: IncomingMessage, res: ServerResponse, params: string[]) => Promise<void> | void;

export interface Route {
  method: 'GET' | 'POST';
  /** Anchored pattern on the path; capture groups become params. */
  path: RegExp;
  name: string;
  handler: Handler;
}

/**
 * Tried before mounts and routes: answers a request at once and says true, or says false and
 * leaves it to them. For the hot path only (feeds); it counts what it answers itself.
 */
export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

export type { Mount } from '../ports/channel.port.js';

export function sendText(res: ServerResponse, status: number, text: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, JSON.stringify(body), 'application/json; charset=utf-8');
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Everything put into HTML goes through this. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => entities[c]!);
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ReceiverMultipleAckError, type App, type Receiver } from '@slack/bolt';
import type { Logger } from '../../src/log.js';
import { HTTP_RESPONSE } from './slack-listeners.js';

/**
 * Bolt's HTTPReceiver waits this long (3 s and a millisecond) before it calls a request unhandled
 * (5 s for function_executed events, which no listener of ours takes).
 */
export const UNACKED_AFTER_MS = 3001;

type SlackBody = Record<string, unknown>;

/**
 * Bolt's receiver for requests our HTTP handler (index.ts) has already read, verified and parsed:
 * it hands each one to `app.processEvent` and answers with what the listener acks. Bolt's
 * HTTPReceiver did this too, but read the body as text and parsed it again, built a URL to
 * match the path and an ack object per request: plumbing that cost more than our core. What
 * it did that Slack relies on is kept here: the url_verification answer, the retry headers,
 * one answer per request, the warning when nothing acks within 3 s, and a 500 for an error.
 * Socket Mode keeps Bolt's own receiver.
 */
export class ScreenedReceiver implements Receiver {
  private app: App | undefined;

  constructor(
    private readonly log: Logger,
    private readonly unackedAfterMs = UNACKED_AFTER_MS,
  ) {}

  init(app: App): void {
    this.app = app;
    // Bolt's default error handler logs a listener's error, then rejects with it; dispatch logs
    // it again (with the request's id), so each failure was two error lines. This one only
    // passes the error on to dispatch, which logs it once.
    app.error(async (error) => {
      throw error;
    });
  }

  // Our own HTTP server serves the requests (a Mount of index.ts): nothing to open or close.
  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  /** One signed, parsed request; settles when Bolt is done with it. A listener's error is answered here, not rejected. */
  async dispatch(body: SlackBody, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (body.type === 'url_verification') return answer(res, JSON.stringify({ challenge: body.challenge }), 'application/json');
    const app = this.app;
    if (!app) throw new Error('ScreenedReceiver used before Bolt’s App was built');
    // waiting → acked (answered by the listener), or → late (answered 404 by the timer below).
    let state: 'waiting' | 'acked' | 'late' = 'waiting';
    // Slack shows the person an error after 3 s without an answer; a listener that never acks
    // (or a request no listener takes, e.g. a shortcut we do not offer) is logged and told 404.
    const unacked = setTimeout(() => {
      if (state !== 'waiting') return;
      state = 'late';
      this.log.error({ type: body.type, command: body.command }, 'slack request not acknowledged within 3 seconds: no listener called ack()');
      if (!res.headersSent) answer(res, undefined, undefined, 404);
    }, this.unackedAfterMs);
    const ack = async (response?: unknown): Promise<void> => {
      // An ack after the 404 is only late; a second ack is a listener's bug, as Bolt says.
      if (state === 'late') return void this.log.warn({ type: body.type }, 'slack ack came after the 3-second answer');
      if (state === 'acked') throw new ReceiverMultipleAckError();
      state = 'acked';
      clearTimeout(unacked);
      if (response === undefined || response === null || response === '') answer(res);
      else if (typeof response === 'string') answer(res, response);
      else answer(res, JSON.stringify(response), 'application/json');
    };
    try {
      await app.processEvent({
        body,
        ack,
        retryNum: retryNum(req.headers['x-slack-retry-num']),
        retryReason: firstOf(req.headers['x-slack-retry-reason']),
        // Listeners ack a command with JSON serialized once per answer (slack-listeners.ts).
        customProperties: { [HTTP_RESPONSE]: res },
      });
    } catch (error) {
      // The one log line of the failure (Bolt's error handler only passes it on, see init), with
      // its stack; the client gets none of it.
      state = 'acked';
      clearTimeout(unacked);
      const about = { err: error, requestId: requestIdOf(body), type: body.type, command: body.command };
      if (res.headersSent) return void this.log.error(about, 'slack listener failed after its request was answered');
      this.log.error(about, 'slack request failed in a listener');
      answer(res, undefined, undefined, 500);
    }
  }
}

/**
 * Status, head and body in one write: with the head left unwritten until end(), Node sends the
 * content-length it counts itself (or the one a listener set), never a chunked body. An empty
 * ack has no content type: Slack reads a typed body as an answer.
 */
function answer(res: ServerResponse, text?: string, contentType?: string, status = 200): void {
  res.statusCode = status;
  // A listener may have set the type and length of an answer it then failed to send.
  // (Removing content-length would also stop Node from sending its own: it is set to 0.)
  if (text === undefined && res.hasHeader('content-length')) {
    res.removeHeader('content-type');
    res.setHeader('content-length', '0');
  }
  if (contentType && !res.hasHeader('content-type')) res.setHeader('content-type', contentType);
  res.end(text);
}

/**
 * Slack's own id of a request, for the log: an event's `event_id` (its redeliveries keep it),
 * else the `trigger_id` of a command or an interaction.
 */
function requestIdOf(body: SlackBody): string | undefined {
  const id = body.event_id ?? body.trigger_id;
  return typeof id === 'string' ? id : undefined;
}

function firstOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function retryNum(value: string | string[] | undefined): number | undefined {
  const first = firstOf(value);
  return first === undefined ? undefined : Number.parseInt(first, 10);
}

import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { parseConnectionUrl } from 'nodemailer/lib/shared';

/** What the pool needs besides SMTP_URL (whose own query options win, as in nodemailer's pool). */
export interface SmtpPoolOptions {
  maxConnections: number;
  /** Messages one connection carries before it is closed and a fresh one opened. */
  maxMessages: number;
  connectionTimeout: number;
  greetingTimeout: number;
  socketTimeout: number;
}

interface Pooled {
  connection: SMTPConnection;
  messages: number;
  /** Gone: the server closed it, it timed out or failed; never handed out again. */
  dead: boolean;
}

/**
 * A few SMTP connections kept open and used one message at a time each, over nodemailer's
 * SMTPConnection. Not nodemailer's own pool: its Mailer and pool pass every message through a
 * dozen streams and pipelines (about 0.6 ms of CPU per message on top of building it); a mail
 * built whole (mime.ts) goes out here in one write after DATA. The dispatcher hands e-mail at
 * most `maxConnections` sends at once (the sender's concurrency), so a send rarely waits here.
 *
 * A connection that failed in any way is closed, never reused: the next send opens a fresh one
 * (after a refused recipient the session may be mid-transaction; after a timeout or a 421 it is
 * gone). Every connection always has an error listener: an idle connection the server drops
 * must not become an uncaught 'error' that ends the process.
 */
export class SmtpPool {
  private readonly options: SMTPConnection.Options & { auth?: { user: string; pass: string }; maxConnections?: number; maxMessages?: number };
  private readonly idle: Pooled[] = [];
  private readonly waiting: ((pooled: Pooled | Error) => void)[] = [];
  private open = 0;
  private closed = false;

  /**
   * How many connections it opens at once: SMTP_URL's maxConnections, or the default when that
   * is not a whole number above 0. The sender's concurrency is this same number (index.ts).
   */
  readonly maxConnections: number;
  /** How many mails one connection carries before it is closed: SMTP_URL's maxMessages, else the default. */
  private readonly maxMessages: number;

  constructor(url: string, defaults: SmtpPoolOptions) {
    this.options = { ...defaults, ...(parseConnectionUrl(url) as SmtpPool['options']), logger: false, debug: false };
    const given = Number(this.options.maxConnections);
    this.maxConnections = Number.isInteger(given) && given > 0 ? given : defaults.maxConnections;
    this.maxMessages = Number(this.options.maxMessages ?? Infinity);
  }

  /**
   * Sends one message built whole; resolves with the server's answer, rejects with nodemailer's
   * SMTP error. `signal` aborted while the send waits for a connection: it leaves the queue and
   * fails. Its caller has given it up (sendThrough's timeout; the row is retried), so sent later
   * it would be a second copy. Once on a connection, it goes on (the message is on its way).
   */
  async send(envelope: { from: string; to: string[] }, raw: Buffer, signal?: AbortSignal): Promise<SMTPConnection.SentMessageInfo> {
    const pooled = await this.acquire(signal);
    try {
      const info = await new Promise<SMTPConnection.SentMessageInfo>((resolve, reject) =>
        pooled.connection.send({ from: envelope.from, to: envelope.to, size: raw.length }, raw, (error, result) => (error ? reject(error) : resolve(result))),
      );
      pooled.messages++;
      this.release(pooled);
      return info;
    } catch (error) {
      this.quit(pooled);
      throw error;
    }
  }

  /** Closes every connection; sends waiting for one fail. */
  close(): void {
    this.closed = true;
    for (const pooled of this.idle.splice(0)) this.quit(pooled);
    for (const waiter of this.waiting.splice(0)) waiter(closedError());
  }

  private async acquire(signal?: AbortSignal): Promise<Pooled> {
    if (this.closed) throw closedError();
    if (signal?.aborted) throw abortedError(signal);
    for (let pooled = this.idle.pop(); pooled; pooled = this.idle.pop()) if (!pooled.dead) return pooled;
    if (this.open < this.maxConnections) return this.connect();
    const next = await new Promise<Pooled | Error>((resolve) => {
      let settled = false;
      const onAbort = () => {
        if (settled) return;
        settled = true;
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        resolve(abortedError(signal!));
      };
      // Handed a connection after it gave up (one opened for it, retire): back to the pool.
      const waiter = (given: Pooled | Error) => {
        if (settled) return void (given instanceof Error ? undefined : this.release(given));
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        resolve(given);
      };
      this.waiting.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    if (next instanceof Error) throw next;
    return next;
  }

  /** Back to the pool, or to the next send waiting; a connection that carried its share is closed. */
  private release(pooled: Pooled): void {
    if (pooled.dead || this.closed || pooled.messages >= this.maxMessages) {
      this.quit(pooled);
      return;
    }
    const waiter = this.waiting.shift();
    if (waiter) waiter(pooled);
    else this.idle.push(pooled);
  }

  /**
   * Counts a connection gone, once, and lets the first waiting send open one in its place: every
   * way a connection ends (a failed send, its share carried, the server's close, a failure to
   * connect or log in) frees its slot, and a send waiting for one must not wait for another send
   * to come by. Returns false when it was already gone.
   */
  private retire(pooled: Pooled): boolean {
    if (pooled.dead) return false;
    pooled.dead = true;
    this.open--;
    const waiter = this.waiting.shift();
    if (waiter) this.connect().then(waiter, waiter);
    return true;
  }

  private quit(pooled: Pooled): void {
    if (!this.retire(pooled)) return;
    // QUIT when the session is usable, else just the socket; either way no answer is awaited.
    try {
      pooled.connection.quit();
    } catch {
      pooled.connection.close();
    }
  }

  private connect(): Promise<Pooled> {
    this.open++;
    const connection = new SMTPConnection(this.options);
    const pooled: Pooled = { connection, messages: 0, dead: false };
    const gone = () => {
      if (!this.retire(pooled)) return;
      const at = this.idle.indexOf(pooled);
      if (at >= 0) this.idle.splice(at, 1);
      connection.close();
    };
    return new Promise<Pooled>((resolve, reject) => {
      let settled = false;
      const fail = (error: Error) => {
        gone();
        if (!settled) (settled = true), reject(error);
      };
      // Errors of an idle connection (the server's idle timeout, a reset) only retire it; a
      // send under way hears of its error through its own callback too.
      connection.on('error', fail);
      // The end of the socket often comes just before the reason (a refused login, a timeout)
      // reaches its callback: the reason is what the send reports, the end only if none came.
      // Retired at once all the same: an ended connection handed out in the meantime (a send in
      // another callback of this turn of the event loop) failed that send for nothing.
      connection.once('end', () => {
        gone();
        setImmediate(() => fail(Object.assign(new Error('the SMTP server closed the connection'), { code: 'ECONNECTION' })));
      });
      connection.connect((error) => {
        if (error) return fail(error);
        const auth = this.options.auth;
        if (!auth || (!auth.user && !auth.pass) || !connection.allowsAuth) return (settled = true), resolve(pooled);
        connection.login({ user: auth.user, pass: auth.pass }, (loginError) => {
          if (loginError) return fail(loginError);
          settled = true;
          resolve(pooled);
        });
      });
    });
  }
}

function abortedError(signal: AbortSignal): Error {
  const reason = signal.reason instanceof Error ? signal.reason.message : 'the send was given up';
  return Object.assign(new Error(`not sent, given up while waiting for an SMTP connection: ${reason}`), { code: 'ECONNECTION' });
}

function closedError(): Error {
  return Object.assign(new Error('the e-mail sender is stopped'), { code: 'ECONNECTION' });
}

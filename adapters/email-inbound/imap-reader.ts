import type { Readable } from 'node:stream';
import { ImapFlow } from 'imapflow';
import type { Logger } from '../../src/log.js';
import type { InboundEnvelope, InboundMailSink } from '../../src/ports/inbound-mail.port.js';
import { noInboundMetrics, type InboundMetrics } from '../../src/inbound/inbound-metrics.js';

/** The keyword a processed mail gets, besides \Seen (docs/inbound-mail.md). */
export const PROCESSED_KEYWORD = '$Kooperator';
/** Mail larger than this is not fetched whole: its header section goes to the sink, marked too large. */
export const DEFAULT_MAX_BYTES = 30 * 1024 * 1024;
/** How often the mailbox is searched when IDLE says nothing (a server without IDLE, or one that drops it silently). */
export const DEFAULT_POLL_MS = 60_000;
/** How long stop() lets a logged-in session finish its command (a receive, a flag) before closing it. */
export const STOP_GRACE_MS = 250;

export interface ImapReaderOptions {
  /** IMAP_URL: `imaps://user:pass@host[:port]/INBOX`, or `imap://` (STARTTLS when offered; `?starttls=required` insists). */
  url: string;
  sink: InboundMailSink;
  log: Logger;
  metrics?: InboundMetrics;
  maxBytes?: number;
  pollMs?: number;
  /** A mail whose receive threw is offered again after `first`, doubling up to `max` (ms). */
  retry?: { first: number; max: number };
  /** After the server drops us: reconnect after `first`, doubling up to `max` (ms). */
  reconnect?: { first: number; max: number };
  /** Told each change of the connection, for /healthz. */
  onState?: (state: 'connecting' | 'connected' | 'reconnecting') => void;
}

export interface ImapSettings {
  host: string;
  port: number;
  secure: boolean;
  doSTARTTLS: boolean | undefined;
  user: string;
  pass: string;
  mailbox: string;
}

/** IMAP_URL's parts. The password stays in here: logs get `host` and `mailbox` only. */
export function imapSettings(url: string): ImapSettings {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'imaps:';
  const starttls = parsed.searchParams.get('starttls');
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : secure ? 993 : 143,
    secure,
    // imap://: STARTTLS when the server offers it (undefined), or always (required), or never (a test server).
    doSTARTTLS: secure ? undefined : starttls === 'required' ? true : starttls === 'never' ? false : undefined,
    user: decodeURIComponent(parsed.username),
    pass: decodeURIComponent(parsed.password),
    mailbox: decodeURIComponent(parsed.pathname.replace(/^\/+/, '')) || 'INBOX',
  };
}

interface Retry {
  attempts: number;
  at: number;
}

/**
 * Reads an IMAP mailbox (issue 16, "Receiving"): each mail without the keyword $Kooperator is
 * fetched raw and handed to the sink; only after `receive` resolved does it get \Seen and
 * $Kooperator. Nothing is ever deleted or moved. A receive that throws leaves the mail as it
 * was, offered again after a growing pause (and at once after a restart); a crash between
 * receive and the flag offers it again too, and the sink records each Message-ID once.
 *
 * New mail is noticed through IMAP IDLE, with a search every `pollMs` besides. When the server
 * drops the connection the reader logs in again, waiting longer after each failure.
 */
export class ImapReader {
  private readonly settings: ImapSettings;
  private readonly metrics: InboundMetrics;
  private readonly retries = new Map<number, Retry>();
  private stopping = false;
  private running: Promise<void> | undefined;
  private client: ImapFlow | undefined;
  /** Past connect(): stop lets the session end on its own (within STOP_GRACE_MS) instead of closing it. */
  private loggedIn = false;
  private wakeUp: (() => void) | undefined;
  /** New mail announced while a round was running: the next pause ends at once. */
  private woken = false;
  private marker: { search: { unKeyword: string } | { seen: false }; flags: string[] } = { search: { unKeyword: PROCESSED_KEYWORD }, flags: ['\\Seen', PROCESSED_KEYWORD] };

  constructor(private readonly options: ImapReaderOptions) {
    this.settings = imapSettings(options.url);
    this.metrics = options.metrics ?? noInboundMetrics;
  }

  private get log(): Logger {
    return this.options.log;
  }

  /** Starts reading in the background: the service does not wait for the mail server. */
  start(): void {
    this.stopping = false;
    this.running ??= this.run().finally(() => (this.running = undefined));
  }

  /**
   * Takes no more mail, lets a receive in flight finish, logs out. Resolves when done; the caller
   * bounds it (src/shutdown.ts: 400 ms). A connection not logged in yet (a server that never
   * greets) is closed at once; a command the server is slow to answer is cut after STOP_GRACE_MS
   * (a mail whose receive went through but whose flag was not set is offered again, and the sink
   * records it once).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    if (!this.running) return;
    if (!this.loggedIn) this.client?.close();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOP_GRACE_MS)));
    const running = this.running;
    if ((await Promise.race([running, grace])) === 'late') this.client?.close();
    clearTimeout(timer);
    await running;
  }

  private wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.woken = true;
  }

  private async run(): Promise<void> {
    this.options.onState?.('connecting');
    let delay = this.options.reconnect?.first ?? 1000;
    while (!this.stopping) {
      const started = Date.now();
      try {
        await this.session();
      } catch (error) {
        if (!this.stopping) this.log.warn({ err: error, host: this.settings.host, mailbox: this.settings.mailbox }, 'the IMAP mailbox could not be read; connecting again soon');
      }
      this.metrics.imapConnected(false);
      if (this.stopping) break;
      this.options.onState?.('reconnecting');
      // A session that lasted a while was fine: start the pauses over.
      if (Date.now() - started > 60_000) delay = this.options.reconnect?.first ?? 1000;
      // The old connection's last events say nothing now: the pause before reconnecting is kept.
      this.woken = false;
      await this.pause(delay);
      delay = Math.min(delay * 2, this.options.reconnect?.max ?? 60_000);
    }
  }

  /** One login: search, hand over, flag; wait for IDLE, the poll or a retry; until the connection ends. */
  private async session(): Promise<void> {
    const { host, port, secure, doSTARTTLS, user, pass, mailbox } = this.settings;
    const pollMs = this.options.pollMs ?? DEFAULT_POLL_MS;
    const client = new ImapFlow({
      host,
      port,
      secure,
      ...(doSTARTTLS !== undefined ? { doSTARTTLS } : {}),
      auth: { user, pass },
      logger: false,
      // IDLE is started by waitForWork; restarted every poll, as some servers end a long IDLE silently.
      maxIdleTime: pollMs,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
    });
    this.client = client;
    this.loggedIn = false;
    client.on('error', (error: Error) => this.log.debug({ err: error }, 'IMAP connection error'));
    client.on('close', () => this.wake());
    client.on('exists', () => this.wake());
    try {
      // Stopped while the client was being made: connect would wait for the server's greeting.
      if (this.stopping) return;
      await client.connect();
      this.loggedIn = true;
      const lock = await client.getMailboxLock(mailbox);
      try {
        // Keywords need the server's permission (\* in PERMANENTFLAGS); without it \Seen alone marks processed mail.
        if (!client.mailbox || !(client.mailbox.permanentFlags?.has('\\*') ?? false)) {
          this.marker = { search: { seen: false }, flags: ['\\Seen'] };
          this.log.warn({ mailbox }, 'the IMAP server allows no keywords here: processed mail is marked \\Seen only, so do not read this mailbox by hand');
        }
        this.metrics.imapConnected(true);
        this.options.onState?.('connected');
        this.log.info({ host, mailbox }, 'reading inbound mail over IMAP');
        while (!this.stopping && client.usable) {
          await this.round(client);
          await this.waitForWork(client, pollMs);
        }
      } finally {
        lock.release();
      }
    } finally {
      this.client = undefined;
      this.loggedIn = false;
      if (client.usable) await client.logout().catch(() => client.close());
      else client.close();
    }
  }

  /** Every mail not processed yet, oldest first, except those waiting out a retry pause. */
  private async round(client: ImapFlow): Promise<void> {
    const uids = (await client.search(this.marker.search, { uid: true })) || [];
    for (const uid of uids.sort((a, b) => a - b)) {
      if (this.stopping || !client.usable) return;
      const retry = this.retries.get(uid);
      if (retry && retry.at > Date.now()) continue;
      await this.handOver(client, uid);
    }
  }

  private async handOver(client: ImapFlow, uid: number): Promise<void> {
    const maxBytes = this.options.maxBytes ?? DEFAULT_MAX_BYTES;
    const meta = await client.fetchOne(String(uid), { uid: true, size: true, headers: true }, { uid: true });
    if (!meta) return;
    const headers = meta.headers ?? Buffer.alloc(0);
    const size = meta.size ?? 0;
    const tooLarge = size > maxBytes;
    // Over the limit: the header section only, never the whole mail in memory.
    const raw = tooLarge ? headers : await this.download(client, uid, maxBytes);
    const envelope: InboundEnvelope = { transport: 'imap', ...envelopeFrom(headers), ...(tooLarge ? { truncatedFrom: size } : {}) };
    let result: Awaited<ReturnType<InboundMailSink['receive']>>;
    try {
      result = await this.options.sink.receive(raw, envelope);
    } catch (error) {
      const attempts = (this.retries.get(uid)?.attempts ?? 0) + 1;
      const wait = Math.min((this.options.retry?.first ?? 5000) * 2 ** (attempts - 1), this.options.retry?.max ?? 300_000);
      this.retries.set(uid, { attempts, at: Date.now() + wait });
      this.metrics.result('imap', 'failed');
      this.log.warn({ err: error, uid, attempts, retryInMs: wait }, 'an inbound mail could not be recorded; it stays in the mailbox and is tried again');
      return;
    }
    // Only now: a crash before this line offers the mail again, and the sink knows it by its Message-ID.
    await client.messageFlagsAdd(String(uid), this.marker.flags, { uid: true });
    this.retries.delete(uid);
    this.metrics.result('imap', tooLarge ? 'too_large' : result.status);
    this.log.info({ uid, transport: 'imap', outcome: result.status, ...(tooLarge ? { size } : {}) }, 'inbound mail handled');
  }

  private async download(client: ImapFlow, uid: number, maxBytes: number): Promise<Buffer> {
    const { content } = await client.download(String(uid), undefined, { uid: true, maxBytes });
    return collect(content, maxBytes);
  }

  /** Until IDLE reports new mail, the poll is due, a retry is due, the connection ends or the reader stops. */
  private async waitForWork(client: ImapFlow, pollMs: number): Promise<void> {
    if (this.stopping || !client.usable) return;
    const nextRetry = Math.min(...[...this.retries.values()].map((r) => r.at));
    const wait = Math.max(0, Math.min(pollMs, nextRetry - Date.now()));
    // IDLE while waiting (the mailbox lock keeps imapflow's own auto-IDLE off): new mail ends the
    // pause through 'exists'; the next command ends the IDLE.
    client.idle().catch((error: unknown) => this.log.debug({ err: error }, 'IMAP IDLE ended'));
    await this.pause(wait);
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
      if (this.stopping || this.woken) done();
      this.woken = false;
    });
  }
}

async function collect(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    length += (chunk as Buffer).length;
    if (length > maxBytes) {
      stream.destroy();
      break;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** What the receiving server wrote of the SMTP envelope: Return-Path, Delivered-To / X-Original-To. */
export function envelopeFrom(headers: Buffer): Pick<InboundEnvelope, 'mailFrom' | 'rcptTo'> {
  const text = headers.toString('latin1').replace(/\r?\n[ \t]+/g, ' ');
  const values = (name: string) => [...text.matchAll(new RegExp(`^${name}:[ \\t]*(.*)$`, 'gim'))].map((m) => m[1]!.trim().replace(/^<(.*)>$/, '$1'));
  const rcptTo = [...new Set([...values('Delivered-To'), ...values('X-Original-To')].filter((a) => a.includes('@')))];
  const returnPath = values('Return-Path')[0];
  return { rcptTo, ...(returnPath !== undefined ? { mailFrom: returnPath } : {}) };
}

import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SendMailOptions } from 'nodemailer';
import type { Logger } from '../../src/log.js';
import type { ChannelAdapter, ChannelSender, Message, SendResult } from '../../src/ports/channel.port.js';
import { composeMail } from './compose.js';
import { buildMail } from './mime.js';
import { SmtpPool } from './smtp-pool.js';
import { toSendResult } from './send-result.js';

export interface EmailAdapterOptions {
  /**
   * `smtp://user:pass@host:587` or `smtps://…` (SMTP_URL). Nodemailer's own query options
   * apply on top of ours, e.g. `?ignoreTLS=true` for a test server on 127.0.0.1 that offers
   * no STARTTLS, `?requireTLS=true` to refuse plain text, `?maxConnections=5`.
   * Unset: every mail is written as an .eml file to `outboxDir`.
   */
  smtpUrl?: string;
  outboxDir: string;
  /** MAIL_FROM, e.g. `"Kooperator RCPS" <kooperator@example.org>`. */
  from: string;
  log: Logger;
}

// Pooled connections with short timeouts: a dead server makes a send fail in seconds (and the
// dispatcher retry later) instead of nodemailer's default of minutes.
const SMTP_DEFAULTS = {
  maxConnections: 3,
  maxMessages: 100,
  connectionTimeout: 15_000,
  greetingTimeout: 15_000,
  socketTimeout: 20_000,
} as const;

/**
 * The e-mail channel (issue 3, "E-mail"): HTML plus plain text, iTIP invitations, List-Unsubscribe.
 * It serves no HTTP paths (the /rsvp pages belong to the core), and start() does not wait for
 * the SMTP server: the service comes up even when mail is down, and sends report temporary
 * failures until it is back.
 */
export function createEmailAdapter(options: EmailAdapterOptions): ChannelAdapter {
  const log = options.log.child({ channel: 'email' });
  const smtp = options.smtpUrl !== undefined;
  const pool = smtp ? new SmtpPool(options.smtpUrl!, SMTP_DEFAULTS) : undefined;

  const deliver = (mail: SendMailOptions, signal?: AbortSignal) =>
    pool ? sendSmtp(pool, { from: options.from, ...mail }, signal) : writeOutbox({ from: options.from, ...mail }, options.outboxDir);

  const sender: ChannelSender = {
    kind: 'email',
    // One send per pooled connection at a time: the dispatcher books a paced send only when a
    // connection is free, so none waits in nodemailer's queue and then leaves in a burst.
    ...(pool ? { concurrency: pool.maxConnections } : {}),
    async send(address: string, message: Message, sendOptions?: { signal?: AbortSignal }): Promise<SendResult> {
      try {
        const composed = composeMail(address, message);
        if (!composed.ok) {
          log.warn({ reason: composed.reason }, 'e-mail refused before sending');
          return { ok: false, permanent: true, reason: composed.reason };
        }
        return await deliver(composed.mail, sendOptions?.signal);
      } catch (error) {
        const result = toSendResult(error);
        log.warn({ permanent: result.permanent, reason: result.reason }, 'e-mail not sent');
        return result;
      }
    },
  };

  return {
    kind: 'email',
    sender,
    mounts: [],
    // main.ts already says at info level where mail goes; this only adds detail for debugging.
    async start() {
      if (smtp) log.debug({ host: safeHost(options.smtpUrl!) }, 'e-mail goes out over SMTP (connections open on the first send)');
      else log.debug({ outboxDir: options.outboxDir }, 'e-mail is written as .eml files (set SMTP_URL to send it)');
    },
    async stop() {
      pool?.close();
    },
  };
}

/** Built whole (mime.ts), then sent in one piece over a pooled connection (smtp-pool.ts). */
async function sendSmtp(pool: SmtpPool, mail: SendMailOptions, signal?: AbortSignal): Promise<SendResult> {
  const built = buildMail(mail);
  await pool.send(built.envelope, built.raw, signal);
  return { ok: true, providerId: built.messageId };
}

/** Written under a temporary name and renamed, so a reader never sees half a file. */
async function writeOutbox(mail: SendMailOptions, dir: string): Promise<SendResult> {
  const built = buildMail(mail);
  await mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:.]/g, '');
  const name = `${stamp}-${randomBytes(6).toString('hex')}.eml`;
  const temporary = join(dir, `.${name}.tmp`);
  try {
    await writeFile(temporary, built.raw, { flag: 'wx' });
    await rename(temporary, join(dir, name));
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return { ok: true, providerId: name };
}

/** The host and port of SMTP_URL, never its user or password. */
function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(unreadable SMTP_URL)';
  }
}

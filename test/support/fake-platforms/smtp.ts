import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { Bucket, realTime, Tally, type Now, type Rate } from './limits.js';

export interface SmtpLimits {
  /** Simultaneous connections; one more is answered 421 and closed. */
  connections: number;
  /** Messages (MAIL FROM) for the whole server; beyond, 451. */
  rate: Rate;
}

/**
 * What relays commonly allow (there is no one standard): a handful of connections per client
 * (Postfix's smtpd_client_connection_count_limit is 50, hosted relays say 5–10), and a message
 * rate of the order of Amazon SES's starting quota (14 a second). The fake's defaults are
 * deliberately small so a pool that opens too many connections is seen at once.
 */
export const SMTP_LIMITS: SmtpLimits = { connections: 3, rate: { perSecond: 14, burst: 14 } };

const smtpError = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });

/**
 * An SMTP server (smtp-server) on 127.0.0.1 that refuses like a relay: a connection beyond
 * `connections` gets `421 4.7.0 Too many connections` and is closed; a message beyond `rate`
 * gets `451 4.7.1 Rate limit exceeded, try again later` at MAIL FROM. The service reaches it
 * through SMTP_URL (`smtp://127.0.0.1:<port>?ignoreTLS=true`).
 */
export class FakeSmtp {
  readonly tally: Tally;
  /** Connections refused with 421 (also counted in `tally.refused`). */
  tooMany = 0;
  /** The most connections open at once. */
  mostOpen = 0;
  port = 0;
  private open = 0;
  private readonly rate: Bucket;
  private readonly server: SMTPServer;

  constructor(private readonly limits: SmtpLimits = SMTP_LIMITS, now: Now = realTime) {
    this.rate = new Bucket(limits.rate, now);
    this.tally = new Tally(now);
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onConnect: (_session, callback) => {
        if (this.open >= this.limits.connections) {
          this.tooMany++;
          this.tally.refuse();
          return callback(smtpError(421, '4.7.0 Too many connections, try again later'));
        }
        this.open++;
        this.mostOpen = Math.max(this.mostOpen, this.open);
        // Counted until this session closes, whatever ends it.
        (_session as { counted?: boolean }).counted = true;
        callback();
      },
      onClose: (session) => {
        if ((session as { counted?: boolean }).counted) this.open--;
      },
      onMailFrom: (_address, _session, callback) => {
        const waitMs = this.rate.waitMs('server');
        if (waitMs > 0) {
          this.tally.refuse();
          return callback(smtpError(451, '4.7.1 Rate limit exceeded, try again later'));
        }
        this.rate.charge('server');
        callback();
      },
      onData: (stream, _session, callback) => {
        stream.on('data', () => undefined);
        stream.on('end', () => {
          this.tally.accept();
          callback();
        });
      },
    });
    this.server.on('error', () => undefined);
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  /** SMTP_URL for this server, as an operator would write it (plus nodemailer pool options). */
  smtpUrl(query = ''): string {
    return `smtp://127.0.0.1:${this.port}?ignoreTLS=true${query ? `&${query}` : ''}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

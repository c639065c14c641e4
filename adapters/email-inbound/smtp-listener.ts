import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Logger } from '../../src/log.js';
import type { InboundMailSink } from '../../src/ports/inbound-mail.port.js';
import { noInboundMetrics, type InboundMetrics } from '../../src/inbound/inbound-metrics.js';
import { bareAddress } from '../../src/inbound/reply-address.js';
import { DEFAULT_MAX_BYTES } from './imap-reader.js';

export interface SmtpListenerOptions {
  /** INBOUND_SMTP_PORT (0: any free port, for tests). */
  port: number;
  /** HOST: 127.0.0.1 unless set otherwise; the MTA that routes mail here usually runs beside the service. */
  host: string;
  /** MAIL_FROM: only its mailbox and its plus-addresses are accepted as recipients. */
  mailFrom: string;
  sink: InboundMailSink;
  log: Logger;
  metrics?: InboundMetrics;
  maxBytes?: number;
}

const smtpError = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });

/** True for MAIL_FROM's own mailbox and its plus-addresses (`kooperator+…@example.org`), in any case. */
export function isOwnMailbox(mailFrom: string, address: string): boolean {
  const own = bareAddress(mailFrom).toLowerCase();
  const at = own.lastIndexOf('@');
  const candidate = address.trim().toLowerCase();
  const cAt = candidate.lastIndexOf('@');
  if (at < 0 || cAt < 0 || candidate.slice(cAt) !== own.slice(at)) return false;
  const local = own.slice(0, at).split('+')[0]!;
  const cLocal = candidate.slice(0, cAt);
  return cLocal === local || cLocal.startsWith(`${local}+`);
}

/**
 * A receiving SMTP listener (issue 16, for those who route mail to the service): RCPT only for
 * MAIL_FROM's mailbox and its plus-addresses (550 otherwise), mail over the size limit refused
 * with 552, each mail handed to the sink with its envelope, and 250 only after `receive`
 * resolved. A sink that throws is answered 451, so the sending server keeps the mail and tries
 * again. No AUTH and no STARTTLS: it listens on 127.0.0.1 for a local MTA unless HOST says
 * otherwise (docs/inbound-mail.md).
 */
export class SmtpListener {
  private readonly server: SMTPServer;
  private readonly metrics: InboundMetrics;
  private readonly maxBytes: number;

  constructor(private readonly options: SmtpListenerOptions) {
    this.metrics = options.metrics ?? noInboundMetrics;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.server = new SMTPServer({
      banner: 'Kooperator',
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      hideSTARTTLS: true,
      disableReverseLookup: true,
      size: this.maxBytes,
      logger: false,
      // Within the service's stop (src/shutdown.ts): a sending server whose session is cut tries again.
      closeTimeout: 300,
      onRcptTo: (address, _session, callback) => {
        if (isOwnMailbox(options.mailFrom, address.address)) return callback();
        this.metrics.result('smtp', 'refused');
        callback(smtpError(550, '5.1.1 No such mailbox here'));
      },
      onData: (stream, session, callback) => this.data(stream, session, callback),
    });
    this.server.on('error', (error) => options.log.warn({ err: error }, 'inbound SMTP connection error'));
  }

  /** Listens; resolves with the port (useful with port 0). */
  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => (this.server.server.off('error', reject), resolve()));
    });
    const port = (this.server.server.address() as AddressInfo).port;
    this.options.log.info({ host: this.options.host, port }, 'receiving inbound mail over SMTP');
    return port;
  }

  /** No new connections; open ones end within the server's close timeout. */
  stop(): Promise<void> {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private data(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (error?: Error | null, message?: string) => void): void {
    const chunks: Buffer[] = [];
    let length = 0;
    stream.on('data', (chunk: Buffer) => {
      length += chunk.length;
      // Past the limit nothing more is kept: the answer is 552 anyway.
      if (length <= this.maxBytes) chunks.push(chunk);
    });
    stream.once('error', (error) => callback(error));
    stream.once('end', () => {
      if (stream.sizeExceeded || length > this.maxBytes) {
        this.metrics.result('smtp', 'too_large');
        return callback(smtpError(552, `5.3.4 Message too big: at most ${this.maxBytes} bytes`));
      }
      const { mailFrom, rcptTo } = session.envelope;
      const envelope = {
        transport: 'smtp' as const,
        mailFrom: mailFrom ? mailFrom.address : '',
        rcptTo: rcptTo.map((r) => r.address),
        remoteAddress: session.remoteAddress,
        ...(session.hostNameAppearsAs ? { helo: session.hostNameAppearsAs } : {}),
      };
      this.options.sink.receive(Buffer.concat(chunks), envelope).then(
        (outcome) => {
          this.metrics.result('smtp', outcome.status);
          this.options.log.info({ transport: 'smtp', outcome: outcome.status }, 'inbound mail handled');
          callback(null, 'OK: recorded');
        },
        (error: unknown) => {
          this.metrics.result('smtp', 'failed');
          this.options.log.warn({ err: error }, 'an inbound mail could not be recorded; the sending server is told to try again (451)');
          callback(smtpError(451, '4.3.0 Temporary failure: please try again later'));
        },
      );
    });
  }
}

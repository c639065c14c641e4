import type { Logger } from '../../src/log.js';
import type { InboundMailSink } from '../../src/ports/inbound-mail.port.js';
import type { InboundMetrics } from '../../src/inbound/inbound-metrics.js';
import { ImapReader } from './imap-reader.js';
import { SmtpListener } from './smtp-listener.js';

export { ImapReader, SmtpListener };

export interface InboundMailOptions {
  imapUrl?: string;
  smtpPort?: number;
  /** HOST: where the SMTP listener binds (127.0.0.1 unless set otherwise). */
  host: string;
  mailFrom: string;
  sink: InboundMailSink;
  log: Logger;
  metrics: InboundMetrics;
  /** Each transport's state for /healthz: `imap` connecting / connected / reconnecting, `inbound_smtp` listening. */
  state?: (name: 'imap' | 'inbound_smtp', value: string) => void;
}

/**
 * The inbound transports that are set (docs/inbound-mail.md): the IMAP reader starts in the
 * background (the service does not wait for the mail server), the SMTP listener before this
 * resolves (a port in use stops the start, as PORT's does). `stop` ends both.
 */
export async function startInboundMail(options: InboundMailOptions): Promise<{ stop(): Promise<void> }> {
  const log = options.log.child({ area: 'inbound-mail' });
  const reader = options.imapUrl ? new ImapReader({ url: options.imapUrl, sink: options.sink, log, metrics: options.metrics, onState: (value) => options.state?.('imap', value) }) : undefined;
  const listener = options.smtpPort !== undefined
    ? new SmtpListener({ port: options.smtpPort, host: options.host, mailFrom: options.mailFrom, sink: options.sink, log, metrics: options.metrics })
    : undefined;
  if (listener) {
    await listener.start();
    options.state?.('inbound_smtp', 'listening');
  }
  reader?.start();
  return {
    async stop() {
      await Promise.all([reader?.stop(), listener?.stop()]);
    },
  };
}

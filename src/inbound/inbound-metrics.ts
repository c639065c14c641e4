import { Counter, Gauge, type Registry } from 'prom-client';
import type { InboundEnvelope } from '../ports/inbound-mail.port.js';

/** What became of one inbound mail at its transport: the sink's outcome, or why it was not handed over. */
export type InboundResult = 'recorded' | 'duplicate' | 'ignored' | 'failed' | 'too_large' | 'refused';

export interface InboundMetrics {
  /** One mail's fate, counted by transport. */
  result(transport: InboundEnvelope['transport'], result: InboundResult): void;
  /** The IMAP reader is logged in and watching its mailbox (1) or not (0). */
  imapConnected(connected: boolean): void;
}

/**
 * Inbound mail on /metrics: `kooperator_inbound_mail_total{transport, result}` (recorded,
 * duplicate, ignored; failed = the sink threw and the mail waits for a retry; too_large = over
 * the size limit, handed over as headers only (IMAP) or refused with 552 (SMTP); refused = a
 * recipient that is not ours, 550) and `kooperator_inbound_imap_connected`.
 */
export function inboundMetrics(registry: Registry): InboundMetrics {
  const mails = new Counter({
    name: 'kooperator_inbound_mail_total',
    help: 'Inbound mails by transport (imap, smtp) and result (recorded, duplicate, ignored, failed, too_large, refused)',
    labelNames: ['transport', 'result'] as const,
    registers: [registry],
  });
  const connected = new Gauge({ name: 'kooperator_inbound_imap_connected', help: 'The IMAP reader is logged in to its mailbox (1) or not (0)', registers: [registry] });
  return {
    result: (transport, result) => mails.inc({ transport, result }),
    imapConnected: (up) => connected.set(up ? 1 : 0),
  };
}

/** For transports run without /metrics (tests, the benchmark). */
export const noInboundMetrics: InboundMetrics = { result: () => undefined, imapConnected: () => undefined };

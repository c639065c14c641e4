import { promises as dns } from 'node:dns';
import { authenticate } from 'mailauth';
import type { InboundEnvelope } from '../ports/inbound-mail.port.js';

/** dns.promises.resolve's shape: tests give a fake one at the network edge. */
export type DnsResolver = (name: string, rrtype: string) => Promise<unknown>;

export const systemResolver: DnsResolver = (name, rrtype) => dns.resolve(name, rrtype);

/**
 * Whether the mail's From domain passes DMARC (RFC 7489). The SMTP listener knows the client's
 * address, HELO and MAIL FROM, so SPF counts; a mail read from an IMAP mailbox came through
 * servers we cannot see, so only DKIM counts there (no address: SPF cannot pass). A DNS error
 * or anything unexpected is a fail: an unverified sender binds to no one.
 */
export async function passesDmarc(raw: Buffer, envelope: InboundEnvelope, resolver: DnsResolver): Promise<boolean> {
  try {
    const smtp = envelope.transport === 'smtp' && envelope.remoteAddress;
    const result = await authenticate(raw, {
      ...(smtp ? { ip: envelope.remoteAddress, helo: envelope.helo ?? '', sender: envelope.mailFrom ?? '' } : { ip: '0.0.0.0', helo: 'imap.invalid', sender: '' }),
      trustReceived: false,
      disableArc: true,
      disableBimi: true,
      resolver: resolver as never, // dns.promises.resolve's overloads; ours takes any record type
      mta: 'kooperator',
    });
    const dmarc = result.dmarc as { status?: { result?: string } } | false | undefined;
    return !!dmarc && dmarc.status?.result === 'pass';
  } catch {
    return false;
  }
}

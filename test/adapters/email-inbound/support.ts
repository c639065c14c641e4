import type { InboundEnvelope, InboundMailSink, InboundOutcome } from '../../../src/ports/inbound-mail.port.js';

/**
 * A small sink for transport-only tests: it records what each transport handed over and, like
 * the real one, answers a Message-ID seen before as a duplicate. `next` decides one receive
 * (throw, hang until released, or run something first).
 */
export class RecordingSink implements InboundMailSink {
  readonly received: { raw: Buffer; envelope: InboundEnvelope; messageId: string }[] = [];
  readonly recorded = new Set<string>();
  next: ((raw: Buffer) => Promise<void> | void) | undefined;

  async receive(raw: Buffer, envelope: InboundEnvelope): Promise<InboundOutcome> {
    const messageId = /^Message-ID:\s*(\S+)/im.exec(raw.toString('latin1'))?.[1] ?? '(none)';
    this.received.push({ raw, envelope, messageId });
    const step = this.next;
    this.next = undefined;
    await step?.(raw);
    if (this.recorded.has(messageId)) return { status: 'duplicate' };
    this.recorded.add(messageId);
    return { status: 'recorded', what: 'test' };
  }

  ids(): string[] {
    return this.received.map((r) => r.messageId);
  }
}

export function aMail(id: string, to = 'kooperator+d1p2.abcdefghijklmnop@example.org', body = 'Będę, dziękuję.'): string {
  return [`From: Anna Nowak <anna.nowak@example.org>`, `To: ${to}`, `Subject: Re: ${id}`, `Message-ID: <${id}@example.org>`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', body, ''].join('\r\n');
}

/** A mail of about `bytes` (a base64 attachment), built without holding more than it in memory twice. */
export function aLargeMail(id: string, bytes: number): Buffer {
  const head = [`From: anna.nowak@example.org`, `To: kooperator@example.org`, `Subject: Skan`, `Message-ID: <${id}@example.org>`, 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'W załączniku skan.', '--b', 'Content-Type: application/pdf', 'Content-Transfer-Encoding: base64', '', ''].join('\r\n');
  const line = `${'QUJD'.repeat(19)}\r\n`;
  const lines = Math.ceil((bytes - head.length) / line.length);
  return Buffer.concat([Buffer.from(head), Buffer.from(line.repeat(lines)), Buffer.from('--b--\r\n')]);
}

export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'the condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

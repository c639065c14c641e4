import type { BounceReport } from './bounces.js';
import type { ParsedMail } from './parse-mail.js';

/** A delivery status notification (RFC 3464): multipart/report with report-type=delivery-status. */
export function isDsn(mail: ParsedMail): boolean {
  return mail.contentType === 'multipart/report' && mail.reportType === 'delivery-status';
}

/** The delivery-status fields: their own part, or (mailparser reads that part as text) the text from its first field on. */
function statusText(mail: ParsedMail): string {
  if (mail.deliveryStatus[0]) return mail.deliveryStatus[0];
  const start = mail.text.search(/^(Reporting-MTA|Original-Envelope-Id|Arrival-Date|Final-Recipient|Original-Recipient):/im);
  return start >= 0 ? mail.text.slice(start) : '';
}

/** The first per-recipient block of a DSN that failed (or, failing that, the first at all). */
export function bounceReport(mail: ParsedMail): BounceReport | undefined {
  const blocks = statusText(mail).replace(/\r\n?/g, '\n').split(/\n\s*\n/).map(fields).filter((f) => f.has('action'));
  const block = blocks.find((b) => b.get('action') === 'failed') ?? blocks[0];
  if (!block) return undefined;
  const strip = (v?: string) => v?.replace(/^[a-z0-9-]+;\s*/i, '').trim();
  const recipient = strip(block.get('final-recipient') ?? block.get('original-recipient'));
  return {
    action: block.get('action')!.toLowerCase(),
    ...(recipient ? { recipient } : {}),
    ...(block.get('status') ? { status: block.get('status')! } : {}),
    ...(block.get('diagnostic-code') ? { diagnostic: strip(block.get('diagnostic-code'))!.slice(0, 500) } : {}),
  };
}

/** "Name: value" lines, continuation lines folded in, names lower-cased. */
function fields(block: string): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | undefined;
  for (const line of block.split('\n')) {
    if (/^\s/.test(line) && last) out.set(last, `${out.get(last)} ${line.trim()}`);
    else {
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (m) out.set((last = m[1]!.toLowerCase()), m[2]!.trim());
    }
  }
  return out;
}

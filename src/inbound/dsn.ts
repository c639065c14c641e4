import type { BounceReport } from './bounces.js';
import type { ParsedMail } from './parse-mail.js';

/** A delivery status notification (RFC 3464): multipart/report with report-type=delivery-status. */
export function isDsn(mail: ParsedMail): boolean {
  return mail.contentType === 'multipart/report' && mail.reportType === 'delivery-status' && mail.deliveryStatus.length > 0;
}

/** The first per-recipient block of a DSN that failed (or, failing that, the first at all). */
export function bounceReport(mail: ParsedMail): BounceReport | undefined {
  const blocks = (mail.deliveryStatus[0] ?? '').replace(/\r\n?/g, '\n').split(/\n\s*\n/).slice(1).map(fields).filter((f) => f.has('action'));
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

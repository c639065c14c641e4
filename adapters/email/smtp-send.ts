import type { Message, SendResult } from '../../src/ports/channel.port.js';
import { composeMail } from './compose.js';
import { buildMail } from './mime.js';
import { toSendResult } from './send-result.js';
import type { SmtpPool } from './smtp-pool.js';

/** A send's result, and what the service should log of it (a worker thread has no logger of its own). */
export interface SmtpSendOutcome {
  result: SendResult;
  /** `refused`: the message could not be made into a mail; `failed`: SMTP or building failed. */
  log?: 'refused' | 'failed';
}

/** One message composed, built whole (mime.ts) and sent in one piece over a pooled connection (smtp-pool.ts). */
export async function sendOverSmtp(pool: SmtpPool, from: string, address: string, message: Message, signal?: AbortSignal): Promise<SmtpSendOutcome> {
  try {
    const composed = composeMail(address, message);
    if (!composed.ok) return { result: { ok: false, permanent: true, reason: composed.reason }, log: 'refused' };
    const built = buildMail({ from, ...composed.mail });
    await pool.send(built.envelope, built.raw, signal);
    return { result: { ok: true, providerId: built.messageId } };
  } catch (error) {
    return { result: toSendResult(error), log: 'failed' };
  }
}

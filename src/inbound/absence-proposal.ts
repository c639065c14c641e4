import { DateTime } from 'luxon';
import type { PersonRow } from '../db/tables.js';
import { enqueue } from '../delivery/outbox.js';
import { formatDate } from '../i18n/format.js';
import { inboundMessages } from '../i18n/inbound-messages.js';
import type { ChannelKind } from '../ports/channel.port.js';
import { absencePeriod } from './auto-replies.js';
import type { MailContext } from './inbound-outbox.js';
import type { ParsedMail } from './parse-mail.js';

const ZONE = 'Europe/Warsaw';

/**
 * An out-of-office reply that names a period: the person is told where to set an absence, once
 * per period (the key names it: a second auto-reply repeats nothing). Nothing is set. Returns
 * whether a proposal was queued.
 */
export async function proposeAbsence(c: MailContext, person: PersonRow, mail: ParsedMail): Promise<boolean> {
  const today = DateTime.fromJSDate(c.now, { zone: ZONE }).toISODate()!;
  const period = absencePeriod(`${mail.subject}\n${mail.text}`, today);
  if (!period) return false;
  const t = inboundMessages[person.language];
  const show = (d: string) => formatDate(DateTime.fromISO(d, { zone: ZONE }), person.language);
  const added = await enqueue(c.trx, [
    {
      key: `inbound:absence-proposal:${person.id}:${period.from}:${period.to}`,
      kind: 'absence_proposal',
      personId: person.id,
      channels: person.channels as ChannelKind[],
      // An answer to an out-of-office reply: marked automatic, so that responder stays silent.
      payload: { language: person.language, title: t.absenceTitle, text: t.absenceText(show(period.from), show(period.to)), autoReply: true },
      dueAt: c.now,
    },
  ]);
  return added > 0;
}

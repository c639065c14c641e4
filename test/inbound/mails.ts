import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'itip');
export const CLIENTS = ['outlook', 'google', 'apple', 'thunderbird'] as const;
export type Client = (typeof CLIENTS)[number];

const VERBS: Record<string, string> = { ACCEPTED: 'Accepted', DECLINED: 'Declined', TENTATIVE: 'Tentative' };
const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');
let counter = 0;
export const messageId = (tag = 'm') => `${tag}-${++counter}-${process.pid}@mail.example.org`;

export interface ItipMail {
  client: Client;
  from: string;
  fromName?: string;
  attendee?: string;
  to: string;
  partstat: string;
  uid: string;
  title: string;
  messageId?: string;
  /** outlook-counter instead of the client's REPLY calendar. */
  counter?: boolean;
}

/** A calendar client's REPLY (or Outlook's COUNTER) filled in from test/fixtures/itip. */
export function itipMail(m: ItipMail): Buffer {
  const fill = (text: string, extra: Record<string, string> = {}) =>
    text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
      const verb = VERBS[m.partstat] ?? 'Reply';
      const values: Record<string, string> = {
        FROM: m.from,
        FROM_NAME: m.fromName ?? 'Osoba',
        ATTENDEE: m.attendee ?? m.from,
        TO: m.to,
        PARTSTAT: m.partstat,
        UID: m.uid,
        TITLE: m.title,
        MESSAGE_ID: m.messageId ?? messageId(m.client),
        OUTLOOK_VERB: m.counter ? 'Nowa proponowana godzina' : verb,
        GOOGLE_VERB: verb === 'Tentative' ? 'Tentatively Accepted' : verb,
        APPLE_VERB: verb,
        THUNDERBIRD_VERB: verb,
        THUNDERBIRD_VERB_LOWER: verb.toLowerCase(),
        ...extra,
      };
      return values[key] ?? '';
    });
  const ics = crlf(fill(readFileSync(join(FIXTURES, m.counter ? 'outlook-counter.ics' : `${m.client}-reply.ics`), 'utf8')));
  const plain = `${m.fromName ?? 'Osoba'} ${VERBS[m.partstat]?.toLowerCase() ?? 'replied'}.`;
  return Buffer.from(crlf(fill(readFileSync(join(FIXTURES, `${m.client}-reply.eml`), 'utf8'), { ICS: ics.trimEnd(), ICS_BASE64: b64(ics), PLAIN_BASE64: b64(plain) })), 'utf8');
}

/** A plain text reply, as a mail client writes one (UTF-8, quoted-printable when needed). */
export function plainMail(m: { from: string; to: string; subject?: string; body: string; headers?: Record<string, string>; messageId?: string; cc?: string }): Buffer {
  const head = [
    `From: ${m.from}`,
    `To: ${m.to}`,
    ...(m.cc ? [`Cc: ${m.cc}`] : []),
    `Subject: =?UTF-8?B?${Buffer.from(m.subject ?? 'Re: Przypomnienie', 'utf8').toString('base64')}?=`,
    `Date: Wed, 3 Feb 2027 10:12:00 +0100`,
    ...(m.messageId === '' ? [] : [`Message-ID: <${m.messageId ?? messageId('plain')}>`]),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    ...Object.entries(m.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ];
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${b64(m.body)}\r\n`, 'utf8');
}

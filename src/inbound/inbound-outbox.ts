import type { Kysely } from 'kysely';
import type { Database, PersonRow } from '../db/tables.js';
import { enqueue, type PlannedDelivery } from '../delivery/outbox.js';
import { inboundMessages } from '../i18n/inbound-messages.js';
import type { Language } from '../i18n/messages.js';
import type { ChannelKind, Message } from '../ports/channel.port.js';
import { personText } from '../ports/person-text.js';
import { rcpsStaff } from '../reports/report-routing.js';

/**
 * The messages an inbound mail causes, as outbox rows written in the mail's own transaction.
 * Keys carry the inbound record's id, so a mail processed again after a rollback writes the
 * same rows once, and two mails never share one.
 */
export interface MailContext {
  trx: Kysely<Database>;
  mailId: number;
  now: Date;
  /** A pass-on tells the writer nothing (an unclear reply to our own confirmation: a possible mail loop). */
  quiet?: boolean;
}

const EXCERPT = 600;

/** A short, safe excerpt of someone's words: control characters out, links undone, cut. */
export function excerpt(text: string, language: Language): string {
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  const cut = clean.length > EXCERPT ? `${clean.slice(0, EXCERPT)}${inboundMessages[language].excerptMore(clean.length - EXCERPT)}` : clean;
  return personText(cut);
}

/** A message to the person who wrote, by e-mail (they wrote by e-mail), in their language: an automatic reply to their mail. */
export async function tellSender(c: MailContext, person: Pick<PersonRow, 'id' | 'language'>, suffix: string, message: Message): Promise<void> {
  const payload: Message = { ...message, autoReply: true };
  await enqueue(c.trx, [{ key: `inbound:${c.mailId}:${suffix}`, kind: 'inbound_confirmation', personId: person.id, channels: ['email'], payload, dueAt: c.now }]);
}

/** A message to each given person in their own channels and language. */
export async function tellPeople(
  c: MailContext,
  people: { id: number; language: Language; channels: unknown }[],
  suffix: string,
  kind: string,
  message: (language: Language) => Message,
  teamId?: string,
): Promise<void> {
  const planned: PlannedDelivery[] = people.map((p) => ({
    key: `inbound:${c.mailId}:${suffix}:${p.id}`,
    kind,
    personId: p.id,
    ...(teamId ? { teamId } : {}),
    channels: p.channels as ChannelKind[],
    payload: message(p.language),
    dueAt: c.now,
  }));
  await enqueue(c.trx, planned);
}

/** RCPS people and admins still on the schedule. */
export const rcps = (trx: Kysely<Database>) => rcpsStaff(trx);

/** The team's coordinators; RCPS when the team has none. */
export async function coordinatorsOf(trx: Kysely<Database>, teamId: string) {
  const coordinators = await trx
    .selectFrom('memberships')
    .innerJoin('people', 'people.id', 'memberships.person_id')
    .select(['people.id', 'people.language', 'people.channels'])
    .where('memberships.team_id', '=', teamId)
    .where('memberships.role', '=', 'coordinator')
    .where('memberships.removed_at', 'is', null)
    .where('people.removed_at', 'is', null)
    .orderBy('people.id')
    .execute();
  return coordinators.length ? coordinators : rcps(trx);
}

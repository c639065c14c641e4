import { deliveryReason } from '../../i18n/delivery-reasons.js';
import { formatDateTime } from '../../i18n/format.js';
import type { Language } from '../../i18n/messages.js';
import type { Message } from '../../ports/channel.port.js';
import { DateTime } from 'luxon';
import { teamsCoordinatedBy } from '../identity.js';
import type { CommandContext } from './context.js';

const texts = {
  pl: {
    title: 'Niedostarczone wiadomości',
    none: 'Wszystkie wiadomości do Pani/Pana zespołów dotarły.',
    summary: (n: number) => `Ostatnie wiadomości, których nie udało się dostarczyć (${n}). Proszę sprawdzić adresy i kanały tych osób.`,
    notAllowed: 'Listę niedostarczonych wiadomości widzą koordynatorzy zespołów i RCPS.',
    place: (platform: string, address: string) => `Kanał w ${platform}: ${address}`,
  },
  en: {
    title: 'Undelivered messages',
    none: 'Every message to your teams got through.',
    summary: (n: number) => `The latest messages that could not be delivered (${n}). Please check these people's addresses and channels.`,
    notAllowed: 'Undelivered messages are shown to team coordinators and RCPS.',
    place: (platform: string, address: string) => `${platform} channel: ${address}`,
  },
} satisfies Record<Language, Record<string, unknown>>;

const platformNames: Record<string, string> = { slack: 'Slack', teams: 'Teams' };

/** `dostarczenia`: dead letters, with their reasons: a coordinator sees their teams', RCPS all. */
export async function deliveriesCommand({ db, person }: CommandContext): Promise<Message> {
  const language = person.language;
  const t = texts[language];
  const coordinated = await teamsCoordinatedBy(db, person.id);
  if (!person.staff_role && coordinated.length === 0) return { language, title: t.title, text: t.notAllowed };
  let query = db
    .selectFrom('deliveries')
    .leftJoin('people', 'people.id', 'deliveries.person_id')
    .select(['deliveries.kind', 'deliveries.last_error', 'deliveries.updated_at', 'deliveries.team_id', 'deliveries.place_address', 'deliveries.channels', 'people.name', 'people.email'])
    .where('deliveries.state', '=', 'failed')
    .orderBy('deliveries.updated_at', 'desc')
    .limit(20);
  if (!person.staff_role) query = query.where('deliveries.team_id', 'in', coordinated);
  const failed = await query.execute();
  if (failed.length === 0) return { language, title: t.title, text: t.none };
  return {
    language,
    title: t.title,
    text: t.summary(failed.length),
    items: failed.map((f) => ({
      // A team's or RCPS's channel rather than a person.
      title: f.place_address ? t.place(platformNames[(f.channels as string[])[0] ?? ''] ?? '?', f.place_address) : `${f.name ?? '—'} <${f.email ?? '—'}>`,
      lines: [`${f.kind}${f.team_id ? ` · ${f.team_id}` : ''}`, deliveryReason(f.last_error, language), formatDateTime(DateTime.fromJSDate(f.updated_at, { zone: 'Europe/Warsaw' }), language)],
    })),
  };
}

import { botMessages } from '../../i18n/bot-messages.js';
import type { Message } from '../../ports/channel.port.js';
import type { CommandContext } from './context.js';

/** `moje-dane`: what the service stores about me (the full export and erasure come with the RODO work). */
export async function myData({ db, person }: CommandContext): Promise<Message> {
  const t = botMessages[person.language];
  const teams = await db
    .selectFrom('memberships')
    .innerJoin('teams', 'teams.id', 'memberships.team_id')
    .select('teams.name')
    .where('memberships.person_id', '=', person.id)
    .where('memberships.removed_at', 'is', null)
    .execute();
  const channels = (person.channels as string[]).join(', ');
  return {
    language: person.language,
    title: t.myDataTitle,
    text: t.myData(person.name, person.email, person.institution ?? '—', teams.map((x) => x.name).join(', ') || '—', channels),
  };
}

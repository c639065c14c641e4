import { botMessages } from '../../i18n/bot-messages.js';
import { channelName } from '../../i18n/delivery-reasons.js';
import { privacyMessages } from '../../i18n/privacy-messages.js';
import { registrationMessages } from '../../i18n/registration-messages.js';
import { personalPageUrl } from '../../me/me-link.js';
import type { Message } from '../../ports/channel.port.js';
import { erasePersonalData } from '../../privacy/personal-data.js';
import { fold } from '../parse-command.js';
import type { ActionHandler, CommandContext } from './context.js';

const ERASE_WORDS = ['usun', 'erase', 'delete'];
const CONFIRM_WORDS = ['potwierdzam', 'confirm'];

/**
 * `moje-dane`: a readable summary and a link to the full JSON export; `moje-dane usuń` asks
 * for a confirmation (a button, or `moje-dane usuń potwierdzam`) and then erases everything.
 */
export async function myData(ctx: CommandContext): Promise<Message> {
  const { db, person } = ctx;
  const words = ctx.text.split(/\s+/).filter(Boolean).map(fold);
  if (ERASE_WORDS.includes(words[0] ?? '')) return CONFIRM_WORDS.includes(words[1] ?? '') ? erase(ctx) : askToErase(ctx);
  const t = botMessages[person.language];
  const p = privacyMessages[person.language];
  const teams = await db
    .selectFrom('memberships')
    .innerJoin('teams', 'teams.id', 'memberships.team_id')
    .select('teams.name')
    .where('memberships.person_id', '=', person.id)
    .where('memberships.removed_at', 'is', null)
    .execute();
  const count = async (table: 'rsvps' | 'deliveries' | 'registration_answers') =>
    Number((await db.selectFrom(table).select(db.fn.countAll<number>().as('n')).where('person_id', '=', person.id).executeTakeFirstOrThrow()).n);
  const channels = (person.channels as string[]).map((c) => channelName(c, person.language)).join(', ');
  const page = await personalPageUrl(ctx.db, ctx.publicUrl, ctx.appSecret, person.id, ctx.clock.now());
  return {
    language: person.language,
    title: t.myDataTitle,
    text: [
      t.myData(person.name, person.email, person.institution ?? '—', teams.map((x) => x.name).join(', ') || '—', channels),
      p.summary(await count('rsvps'), await count('deliveries')),
      ...((await count('registration_answers')) ? [registrationMessages[person.language].myData(await count('registration_answers'))] : []),
      p.eraseHint,
    ].join('\n\n'),
    links: [
      { label: p.exportLabel, url: `${page}/data.json` },
      { label: p.personalPageLabel, url: page },
    ],
  };
}

function askToErase({ person }: CommandContext): Message {
  const p = privacyMessages[person.language];
  return {
    language: person.language,
    title: p.eraseAskTitle,
    text: p.eraseAsk,
    actions: [{ id: 'my-data:erase', value: 'confirm', label: p.eraseButton, style: 'danger' }],
  };
}

async function erase(ctx: CommandContext): Promise<Message> {
  const { person } = ctx;
  await erasePersonalData(ctx.db, person.id, ctx.clock);
  ctx.changed();
  const p = privacyMessages[person.language];
  return { language: person.language, title: p.erasedTitle, text: p.erased };
}

/** The confirmation button of `moje-dane usuń`. */
export const myDataAction: ActionHandler = async (ctx, action) =>
  action.actionId === 'my-data:erase' && action.value === 'confirm' ? erase(ctx) : askToErase(ctx);

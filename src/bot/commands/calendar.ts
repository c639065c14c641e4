import { currentFeedToken, issueFeedToken } from '../../feeds/feed-tokens.js';
import { botMessages } from '../../i18n/bot-messages.js';
import { privacyMessages } from '../../i18n/privacy-messages.js';
import { personalPageUrl } from '../../me/me-link.js';
import type { Message } from '../../ports/channel.port.js';
import { fold } from '../parse-command.js';
import type { CommandContext } from './context.js';

/** `kalendarz` shows my personal feed link; `kalendarz nowy` revokes it and makes a new one. */
export async function personalCalendar(ctx: CommandContext): Promise<Message> {
  const { db, appSecret, clock, person } = ctx;
  const t = botMessages[person.language];
  const renew = ['nowy', 'new'].includes(fold(ctx.text));
  const token = renew ? await issueFeedToken(db, person.id, appSecret, clock) : await currentFeedToken(db, person.id, appSecret, clock);
  if (renew) ctx.changed();
  const url = `${ctx.publicUrl}/calendars/u/${token}.ics`;
  return {
    language: person.language,
    title: t.calendarTitle,
    text: renew ? t.calendarRenewed(url) : t.calendarText(url),
    links: [
      { label: t.subscribeLabel, url: url.replace(/^https?:/, 'webcal:') },
      { label: privacyMessages[person.language].personalPageLabel, url: await personalPageUrl(db, ctx.publicUrl, appSecret, person.id, clock.now()) },
    ],
  };
}

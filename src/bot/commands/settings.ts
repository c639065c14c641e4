import { settingsMessages } from '../../i18n/settings-messages.js';
import { privacyMessages } from '../../i18n/privacy-messages.js';
import { personalPageUrl } from '../../me/me-link.js';
import type { ChannelKind, Message } from '../../ports/channel.port.js';
import { changePreferences, LastChannelError } from '../../preferences/change-preferences.js';
import { loadPreferences, type MutableKind, type Preferences } from '../../preferences/preferences.js';
import { fold } from '../parse-command.js';
import type { CommandContext } from './context.js';
import { channelName } from '../../i18n/delivery-reasons.js';
import { absenceSettings, ABSENCE_WORDS } from '../../participation/absence-settings.js';

const kindWords: Record<string, MutableKind> = {
  przypomnienia: 'reminders',
  reminders: 'reminders',
  zmiany: 'notices',
  changes: 'notices',
  ogloszenia: 'announcements',
  announcements: 'announcements',
  zaproszenia: 'invitations',
  invitations: 'invitations',
};
const channelWords: Record<string, ChannelKind> = { slack: 'slack', teams: 'teams', email: 'email', 'e-mail': 'email', mail: 'email' };

/** `ustawienia`: show my preferences; `ustawienia wycisz|włącz <rodzaj|kanał>`, `ustawienia cisza 21-6` change them. */
export async function settingsCommand(ctx: CommandContext): Promise<Message> {
  const { db, person, clock } = ctx;
  const language = person.language;
  const t = settingsMessages[language];
  const [verb, ...rest] = ctx.text.split(/\s+/).filter(Boolean).map(fold);
  const current = await loadPreferences(db, person.id);
  const page = await personalPageUrl(db, ctx.publicUrl, ctx.appSecret, person.id, clock.now());
  const show = (prefix?: string): Message => ({
    language,
    title: t.title,
    text: [
      prefix,
      t.summary(
        current.mutedKinds.map(t.kindName).join(', ') || t.none,
        current.mutedChannels.map((c) => channelName(c, language)).join(', ') || t.none,
        current.quiet.from,
        current.quiet.to,
      ),
      t.usage,
    ]
      .filter(Boolean)
      .join('\n\n'),
    links: [{ label: privacyMessages[language].personalPageLabel, url: page }],
  });
  if (!verb) return show();
  if (ABSENCE_WORDS.has(verb)) return absenceSettings(ctx, rest);

  const next: Preferences = { ...current, mutedKinds: [...current.mutedKinds], mutedChannels: [...current.mutedChannels] };
  if (verb === 'cisza' || verb === 'quiet') {
    const hours = /^(\d{1,2})-(\d{1,2})$/.exec(rest[0] ?? '');
    const [from, to] = hours ? [Number(hours[1]), Number(hours[2])] : [NaN, NaN];
    if (!(from >= 0 && from <= 23 && to >= 0 && to <= 23 && from !== to)) return show(t.badQuiet);
    next.quiet = { from, to };
  } else if (['wycisz', 'mute', 'wlacz', 'unmute'].includes(verb)) {
    const mute = verb === 'wycisz' || verb === 'mute';
    for (const word of rest) {
      const kind = kindWords[word];
      const channel = channelWords[word];
      if (!kind && !channel) return show(t.unknownWord(word));
      if (kind) next.mutedKinds = mute ? [...next.mutedKinds, kind] : next.mutedKinds.filter((k) => k !== kind);
      if (channel) next.mutedChannels = mute ? [...next.mutedChannels, channel] : next.mutedChannels.filter((c) => c !== channel);
    }
    const own = person.channels as ChannelKind[];
    if (own.every((c) => next.mutedChannels.includes(c))) return show(t.lastChannel);
  } else {
    return show(t.unknownWord(verb));
  }
  try {
    Object.assign(current, await changePreferences(db, person.id, current, next, clock));
  } catch (error) {
    if (error instanceof LastChannelError) return show(t.lastChannel);
    throw error;
  }
  return show(t.saved);
}

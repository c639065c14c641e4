import { PLACE_NOT_LINKED } from '../delivery/places.js';
import type { Language } from './messages.js';

const texts = {
  pl: {
    placeNotLinked:
      'Kooperator nie był jeszcze w zespole Teams, do którego należy ten kanał, więc nie wie, dokąd wysłać wiadomość. Proszę dodać aplikację Kooperator do tego zespołu w Teams (albo raz napisać do @Kooperator w tym kanale); następne wiadomości już dotrą.',
  },
  en: {
    placeNotLinked:
      'Kooperator has never been in the Teams team this channel belongs to, so it does not know where to post. Please add the Kooperator app to that team in Teams (or @mention Kooperator in the channel once); later messages will get through.',
  },
} satisfies Record<Language, Record<string, string>>;

/**
 * Why a delivery failed, for coordinators (`dostarczenia`) and announcement authors. The outbox
 * keeps "channel: reason" in English for operators; reasons a coordinator can act on are told
 * in their language, the others as stored.
 */
export function deliveryReason(lastError: string | null, language: Language): string {
  if (!lastError) return '';
  if (lastError.replace(/^\w+: /, '') === PLACE_NOT_LINKED) return texts[language].placeNotLinked;
  return lastError;
}

import { PLACE_NOT_LINKED } from '../delivery/places.js';
import type { Language } from './messages.js';

type Reason =
  | 'placeNotLinked'
  | 'muted'
  | 'channelOff'
  | 'expired'
  | 'notRelevant'
  | 'ourError'
  | 'badAddress'
  | 'mailboxRejected'
  | 'mailRejected'
  | 'mailFailed'
  | 'bounced'
  | 'slackGone'
  | 'slackFailed'
  | 'teamsGone'
  | 'teamsFailed'
  | 'failed'
  | 'slackNotLinked'
  | 'teamsNotLinked'
  | 'noEmailAddress'
  | 'notLinked'
  | 'slackOff'
  | 'teamsOff'
  | 'emailOff'
  | 'serviceChannelOff'
  | 'noAnswer'
  | 'interrupted';

const texts: Record<Language, Record<Reason, string> & { details: string }> = {
  pl: {
    placeNotLinked:
      'Kooperator nie był jeszcze w zespole Teams, do którego należy ten kanał, więc nie wie, dokąd wysłać wiadomość. Proszę dodać aplikację Kooperator do tego zespołu w Teams (albo raz napisać do @Kooperator w tym kanale); następne wiadomości już dotrą.',
    muted: 'Odbiorca wyłączył ten rodzaj wiadomości w swoich ustawieniach.',
    channelOff: 'Odbiorca wyłączył ten kanał w swoich ustawieniach.',
    expired: 'Wiadomość straciła ważność, zanim udało się ją wysłać.',
    notRelevant: 'Wiadomość przestała być aktualna, zanim przyszła pora jej wysłania.',
    ourError: 'Nie udało się przygotować albo wysłać wiadomości z powodu błędu po naszej stronie; administrator znajdzie go w dzienniku.',
    badAddress: 'Adres e-mail tej osoby jest nieprawidłowy. Proszę go poprawić w harmonogramie.',
    mailboxRejected: 'Serwer poczty odbiorcy odrzucił adres: skrzynka nie istnieje albo adres jest błędny. Proszę sprawdzić adres w harmonogramie.',
    mailRejected: 'Serwer poczty odmówił przyjęcia wiadomości.',
    mailFailed: 'Nie udało się wysłać e-maila.',
    bounced: 'E-mail wrócił jako niedoręczalny: adres odrzuca wiadomości. Proszę sprawdzić adres w harmonogramie; do tego czasu Kooperator używa innego kanału tej osoby, jeśli go ma.',
    slackGone: 'Slack nie dostarcza już wiadomości na to konto lub do tego kanału (usunięte, zarchiwizowane albo bez aplikacji Kooperator).',
    slackFailed: 'Slack nie przyjął wiadomości.',
    teamsGone: 'Teams nie pozwala już pisać do tej osoby lub na ten kanał (aplikacja Kooperator usunięta albo zablokowana).',
    teamsFailed: 'Teams nie przyjął wiadomości.',
    failed: 'Nie udało się dostarczyć wiadomości.',
    slackNotLinked: 'Ta osoba nie połączyła jeszcze swojego konta w Slacku z Kooperatorem, więc wiadomość nie została tam wysłana.',
    teamsNotLinked: 'Ta osoba nie połączyła jeszcze swojego konta w Microsoft Teams z Kooperatorem, więc wiadomość nie została tam wysłana.',
    noEmailAddress: 'Ta osoba nie ma adresu e-mail w harmonogramie, więc e-mail nie został wysłany.',
    notLinked: 'Ta osoba nie połączyła jeszcze tego kanału z Kooperatorem, więc wiadomość nie została nim wysłana.',
    slackOff: 'Wysyłanie przez Slacka nie jest włączone w Kooperatorze; może je włączyć administrator serwisu.',
    teamsOff: 'Wysyłanie przez Microsoft Teams nie jest włączone w Kooperatorze; może je włączyć administrator serwisu.',
    emailOff: 'Wysyłanie e-maili nie jest włączone w Kooperatorze; może je włączyć administrator serwisu.',
    serviceChannelOff: 'Ten kanał nie jest włączony w Kooperatorze; może go włączyć administrator serwisu.',
    noAnswer: 'Serwis nie odpowiedział na czas; Kooperator spróbuje wysłać wiadomość ponownie.',
    interrupted: 'Wysyłanie przerwało zatrzymanie Kooperatora; po ponownym uruchomieniu spróbuje wysłać wiadomość jeszcze raz.',
    details: 'szczegóły techniczne',
  },
  en: {
    placeNotLinked:
      'Kooperator has never been in the Teams team this channel belongs to, so it does not know where to post. Please add the Kooperator app to that team in Teams (or @mention Kooperator in the channel once); later messages will get through.',
    muted: 'The recipient turned this kind of message off in their settings.',
    channelOff: 'The recipient turned this channel off in their settings.',
    expired: 'The message expired before it could be sent.',
    notRelevant: 'The message was no longer relevant when it came to be sent.',
    ourError: 'The message could not be prepared or sent because of an error on our side; the operator finds it in the log.',
    badAddress: "This person's e-mail address is not valid. Please correct it in the schedule.",
    mailboxRejected: "The recipient's mail server rejected the address: the mailbox does not exist or the address is wrong. Please check it in the schedule.",
    mailRejected: 'The mail server refused the message.',
    mailFailed: 'The e-mail could not be sent.',
    bounced: "The e-mail came back undeliverable: the address refuses mail. Please check it in the schedule; until then Kooperator uses this person's other channel, if they have one.",
    slackGone: 'Slack no longer delivers to this account or channel (deleted, archived or without the Kooperator app).',
    slackFailed: 'Slack did not accept the message.',
    teamsGone: 'Teams no longer lets us write to this person or channel (the Kooperator app was removed or blocked).',
    teamsFailed: 'Teams did not accept the message.',
    failed: 'The message could not be delivered.',
    slackNotLinked: 'This person has not yet linked their Slack account with Kooperator, so the message was not sent there.',
    teamsNotLinked: 'This person has not yet linked their Microsoft Teams account with Kooperator, so the message was not sent there.',
    noEmailAddress: 'This person has no e-mail address in the schedule, so no e-mail was sent.',
    notLinked: 'This person has not yet linked this channel with Kooperator, so the message was not sent through it.',
    slackOff: 'Sending through Slack is not turned on in Kooperator; the service administrator can turn it on.',
    teamsOff: 'Sending through Microsoft Teams is not turned on in Kooperator; the service administrator can turn it on.',
    emailOff: 'Sending e-mail is not turned on in Kooperator; the service administrator can turn it on.',
    serviceChannelOff: 'This channel is not turned on in Kooperator; the service administrator can turn it on.',
    noAnswer: 'The service did not answer in time; Kooperator will try to send the message again.',
    interrupted: 'Sending was interrupted because Kooperator was stopping; it will try again after it starts.',
    details: 'technical details',
  },
};

// The reasons the dispatcher itself writes (src/delivery/deliver-row.ts, dispatcher.ts); channel-send.ts's below.
const OWN: Record<string, Reason> = {
  'muted by the person': 'muted',
  'the person turned this channel off': 'channelOff',
  'expired before it could be sent': 'expired',
  'no longer relevant when it came to be sent': 'notRelevant',
  // src/invitations/plan-invitations.ts (settleWaiting): a waiting invitation not sent after a change.
  'the activity was cancelled before its invitation was sent': 'notRelevant',
  'superseded by an earlier message about the activity, brought up to date': 'notRelevant',
};

// The reasons src/delivery/channel-send.ts writes itself: nothing reached the platform, so
// they must not read as the platform refusing the message.
const NOT_LINKED: Record<string, Reason> = { slack: 'slackNotLinked', teams: 'teamsNotLinked', email: 'noEmailAddress' };
const SERVICE_OFF: Record<string, Reason> = { slack: 'slackOff', teams: 'teamsOff', email: 'emailOff' };
function senderReason(raw: string): Reason | undefined {
  const notLinked = /^the person has no (\w+) link yet$/.exec(raw);
  if (notLinked) return NOT_LINKED[notLinked[1]!] ?? 'notLinked';
  const off = /^channel (\S+) is not turned on$/.exec(raw);
  if (off) return SERVICE_OFF[off[1]!] ?? 'serviceChannelOff';
  if (/^no answer within \d+(\.\d+)? s$/.test(raw)) return 'noAnswer';
  if (raw === 'interrupted: the service is stopping') return 'interrupted';
  return undefined;
}

/** A platform's own words (stored "channel: reason") sorted into what a coordinator can act on. */
function platformReason(channel: string, raw: string): Reason {
  if (raw === PLACE_NOT_LINKED) return 'placeNotLinked';
  if (channel === 'email') {
    if (/^not a single e-mail address/.test(raw)) return 'badAddress';
    if (/^the address bounced: /.test(raw)) return 'bounced';
    if (/^55[03]\b.*(5\.1\.\d|recipient|mailbox|user unknown|no such user|address rejected)/i.test(raw)) return 'mailboxRejected';
    return /^5\d\d\b/.test(raw) ? 'mailRejected' : 'mailFailed';
  }
  if (channel === 'slack') return /channel_not_found|user_not_found|not_in_channel|is_archived|account_inactive|user_disabled/.test(raw) ? 'slackGone' : 'slackFailed';
  if (channel === 'teams') return /may not post here|conversation is gone/.test(raw) ? 'teamsGone' : 'teamsFailed';
  return 'failed';
}

/**
 * Why a delivery failed, for coordinators (`dostarczenia`) and announcement authors, always in
 * their language. The outbox keeps "channel: reason" in English for operators; a platform's raw
 * words are shown only beside the translated reason, as technical details.
 */
export function deliveryReason(lastError: string | null, language: Language, state?: string): string {
  const t = texts[language];
  // Without a stored reason, the state alone tells it, if the caller knows the state.
  if (!lastError) return state === undefined ? '' : state === 'expired' ? t.expired : state === 'cancelled' ? t.notRelevant : t.failed;
  const own = OWN[lastError];
  if (own) return t[own];
  if (/^could not be (rendered|sent): /.test(lastError)) return t.ourError;
  const [, channel = '', raw = lastError] = /^(\w+): ([\s\S]*)$/.exec(lastError) ?? [];
  if (OWN[raw]) return t[OWN[raw]];
  const sender = senderReason(raw);
  if (sender) return t[sender];
  const reason = platformReason(channel, raw);
  return reason === 'placeNotLinked' ? t[reason] : `${t[reason]} (${t.details}: ${raw})`;
}

const channelNames: Record<Language, Record<string, string>> = {
  pl: { email: 'e-mail', slack: 'Slack', teams: 'Microsoft Teams', console: 'terminal' },
  en: { email: 'e-mail', slack: 'Slack', teams: 'Microsoft Teams', console: 'terminal' },
};

/** A channel as a person names it ("e-mail", not `email`). */
export const channelName = (channel: string, language: Language): string => channelNames[language][channel] ?? channel;

const kindNames: Record<Language, Record<string, string>> = {
  pl: {
    notice: 'powiadomienie',
    reminder: 'przypomnienie o spotkaniu',
    meeting_change: 'zmiana terminu spotkania',
    announcement: 'ogłoszenie',
    'announcement-report': 'raport doręczenia ogłoszenia',
    invitation: 'zaproszenie',
    activity_reminder: 'przypomnienie o wydarzeniu',
    checkin: 'prośba o status',
    self_checkin: 'link do potwierdzenia obecności',
    digest: 'podsumowanie tygodnia',
    confirmation: 'potwierdzenie',
    personal_link: 'potwierdzenie',
    problem_report: 'zgłoszenie problemu',
    report_update: 'zmiana w zgłoszeniu',
    report_comment: 'komentarz do zgłoszenia',
    report_escalation: 'przypomnienie o zgłoszeniu',
    settings_alarm: 'alarm ustawień',
    certificate: 'zaświadczenie o udziale',
  },
  en: {
    notice: 'notice',
    reminder: 'meeting reminder',
    meeting_change: 'meeting change',
    announcement: 'announcement',
    'announcement-report': 'announcement delivery report',
    invitation: 'invitation',
    activity_reminder: 'event reminder',
    checkin: 'status request',
    self_checkin: 'check-in link',
    digest: 'weekly digest',
    confirmation: 'confirmation',
    personal_link: 'confirmation',
    problem_report: 'problem report',
    report_update: 'report update',
    report_comment: 'comment on a report',
    report_escalation: 'report reminder',
    settings_alarm: 'settings alarm',
    certificate: 'certificate of attendance',
  },
};

/** What kind of message a delivery was, as a person says it (never the outbox's `meeting_change`). */
export const deliveryKindName = (kind: string, language: Language): string => kindNames[language][kind] ?? (language === 'pl' ? 'wiadomość' : 'message');

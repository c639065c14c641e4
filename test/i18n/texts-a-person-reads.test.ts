import { describe, expect, it } from 'vitest';
import { announcementMessages } from '../../src/i18n/announcement-messages.js';
import { bilingualApology, bilingualStranger, botMessages } from '../../src/i18n/bot-messages.js';
import { changeCommandMessages } from '../../src/i18n/change-command-messages.js';
import { checkinMessages } from '../../src/i18n/checkin-messages.js';
import { confirmationMessages } from '../../src/i18n/confirmation-messages.js';
import { deliveryKindName, deliveryReason } from '../../src/i18n/delivery-reasons.js';
import { formPageMessages } from '../../src/i18n/form-page-messages.js';
import { graphemeCount } from '../../src/i18n/graphemes.js';
import { activityAdminMessages, invitationMessages, workshopViewMessages } from '../../src/i18n/invitation-messages.js';
import { mePageMessages } from '../../src/i18n/me-page-messages.js';
import { messages } from '../../src/i18n/messages.js';
import { privacyMessages } from '../../src/i18n/privacy-messages.js';
import { reportMessages } from '../../src/i18n/report-messages.js';
import { reportPageMessages } from '../../src/i18n/report-page-messages.js';
import { schedulePageMessages } from '../../src/i18n/schedule-page-messages.js';
import { settingsMessages } from '../../src/i18n/settings-messages.js';
import { unsubscribeMessages } from '../../src/i18n/unsubscribe-messages.js';
import { PLACE_NOT_LINKED } from '../../src/delivery/places.js';
import { reminderTexts } from '../../src/reminders/reminder-texts.js';
import { deliveriesTexts } from '../../src/bot/commands/deliveries.js';
import { checkText } from '../../src/reports/report-input.js';

const catalogues = [
  announcementMessages, botMessages, changeCommandMessages, checkinMessages, confirmationMessages, formPageMessages, invitationMessages,
  workshopViewMessages, activityAdminMessages, mePageMessages, messages, privacyMessages, reportMessages, reportPageMessages,
  schedulePageMessages, settingsMessages, unsubscribeMessages, reminderTexts, deliveriesTexts,
];

/** Every text of a catalogue: strings as they are, functions called with sample arguments. */
function texts(entry: unknown): string[] {
  if (typeof entry === 'string') return [entry];
  if (typeof entry === 'function') {
    for (const sample of ['Ala', 3]) {
      try {
        const out = (entry as (...a: unknown[]) => unknown)(...Array.from({ length: Math.max(entry.length, 1) }, () => sample));
        if (typeof out === 'string') return [out];
      } catch {
        // A text that takes numbers where we tried words (or the other way round): the next sample.
      }
    }
    return [];
  }
  if (entry && typeof entry === 'object') return Object.values(entry).flatMap(texts);
  return [];
}

const polish = catalogues.flatMap((c) => texts(c.pl));
const english = catalogues.flatMap((c) => texts(c.en));

describe('texts a person reads', () => {
  it('should find the texts it checks', () => {
    expect(polish.length).toBeGreaterThan(300);
    expect(english.length).toBe(polish.length);
  });

  it('should address a person politely in Polish (Pani/Pan, "proszę"), never with "ty" forms', () => {
    const informal = /\b(chcesz|wolisz|możesz|masz|jesteś|kliknij|wpisz|sprawdź|wybierz|Twój|Twoja|Twoje|Twoich|Ci)\b/u;
    expect(polish.filter((t) => informal.test(t))).toEqual([]);
  });

  it('should keep Polish out of English texts (commands a person types excepted)', () => {
    const polishWord = /(osoba usunięta|Przepraszamy|Dziękujemy|Pani\/Pan)/u;
    expect(english.filter((t) => polishWord.test(t))).toEqual([]);
  });

  it('should answer a failure or a stranger in both languages', () => {
    expect(bilingualApology('abc123').title).toBe('Przepraszamy / Sorry');
    expect(bilingualApology('abc123').text).toContain('Something went wrong on our side (error abc123)');
    expect(bilingualStranger(undefined).text).toContain('does not belong to any PZK team');
  });

  it('should not repeat the kind when an activity title already starts with it', () => {
    expect(messages.pl.activityTitle('education', 'Spotkanie edukacyjne: dane osobowe (RODO)')).toBe('Spotkanie edukacyjne: dane osobowe (RODO)');
    expect(messages.pl.activityTitle('workshop', 'Budżet projektu')).toBe('Warsztaty: Budżet projektu');
  });

  it('should name the confirmation channels as people do', () => {
    expect(mePageMessages.pl.confirmSentText(['email'])).toContain('link potwierdzający przez e-mail.');
    expect(mePageMessages.pl.confirmSentText(['slack', 'email'])).toContain('pierwszym działającym z kanałów: Slack i e-mail.');
    expect(mePageMessages.en.confirmSentText(['teams'])).toContain('confirmation link by Microsoft Teams.');
  });
});

describe('why a delivery failed', () => {
  it.each([
    ['muted by the person', 'Odbiorca wyłączył ten rodzaj wiadomości', 'turned this kind of message off'],
    ['expired before it could be sent', 'straciła ważność', 'expired before'],
    ['could not be rendered: TypeError: x is undefined', 'błędu po naszej stronie', 'error on our side'],
  ])('should tell "%s" in the reader\'s language, without the internal words', (stored, pl, en) => {
    expect(deliveryReason(stored, 'pl')).toContain(pl);
    expect(deliveryReason(stored, 'pl')).not.toContain(stored);
    expect(deliveryReason(stored, 'en')).toContain(en);
  });

  it('should show a platform\'s raw error only beside a translated reason', () => {
    const stored = 'email: 550 5.1.1 <x@example.org>: Recipient address rejected: User unknown';
    expect(deliveryReason(stored, 'pl')).toBe(
      'Serwer poczty odbiorcy odrzucił adres: skrzynka nie istnieje albo adres jest błędny. Proszę sprawdzić adres w harmonogramie. (szczegóły techniczne: 550 5.1.1 <x@example.org>: Recipient address rejected: User unknown)',
    );
    expect(deliveryReason('slack: channel_not_found', 'en')).toMatch(/^Slack no longer delivers .* \(technical details: channel_not_found\)$/);
    expect(deliveryReason('teams: 403: the bot may not post here (blocked, uninstalled, or disabled by an admin)', 'pl')).toMatch(/^Teams nie pozwala/);
    expect(deliveryReason(`teams: ${PLACE_NOT_LINKED}`, 'pl')).toMatch(/^Kooperator nie był jeszcze w zespole Teams/);
  });

  it('should name the kind of message, not the outbox\'s name for it', () => {
    expect(deliveryKindName('meeting_change', 'pl')).toBe('zmiana terminu spotkania');
    expect(deliveryKindName('problem_report', 'pl')).toBe('zgłoszenie problemu');
    expect(deliveryKindName('something_new', 'en')).toBe('message');
  });
});

describe('lengths told to a person', () => {
  it('should count what a person sees as one character (an emoji) as one', () => {
    expect(graphemeCount('👍🏽👩‍👩‍👧ą')).toBe(3);
    const text = `${'a'.repeat(4997)}😀😀😀`;
    expect(checkText(text, 'pl')).toEqual({ ok: true, value: text });
    const over = checkText(`${text}😀`, 'pl');
    expect(over.ok || over.error).toContain('ma 5001 znaków');
  });
});

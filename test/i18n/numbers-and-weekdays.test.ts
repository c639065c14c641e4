import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { deliveriesTexts } from '../../src/bot/commands/deliveries.js';
import { announcementMessages } from '../../src/i18n/announcement-messages.js';
import { botMessages } from '../../src/i18n/bot-messages.js';
import { changeCommandMessages } from '../../src/i18n/change-command-messages.js';
import { checkinMessages } from '../../src/i18n/checkin-messages.js';
import { confirmationMessages } from '../../src/i18n/confirmation-messages.js';
import { formatDateTime } from '../../src/i18n/format.js';
import { activityAdminMessages, invitationMessages, workshopViewMessages } from '../../src/i18n/invitation-messages.js';
import { privacyMessages } from '../../src/i18n/privacy-messages.js';
import { reportMessages } from '../../src/i18n/report-messages.js';
import { schedulePageMessages } from '../../src/i18n/schedule-page-messages.js';
import { reminderTexts } from '../../src/reminders/reminder-texts.js';

/**
 * Issue 14: every message that carries a number or a weekday, rendered with the numbers
 * 0, 1, 2, 5, 12, 22, 25, 101, 112 and with every weekday, against the Polish (and English) a
 * careful reader expects: "otrzymają 2 osoby", "Najbliższych 5 spotkań", "do wtorku", "na środę".
 */
const NUMBERS = [0, 1, 2, 5, 12, 22, 25, 101, 112] as const;

type NumberCase = [name: string, render: (n: number) => string, expected: readonly string[]];

// Each row: the message, then what it must contain for 0, 1, 2, 5, 12, 22, 25, 101, 112.
const polish: NumberCase[] = [
  ['ogłoszenie: odbiorcy', (n) => announcementMessages.pl.people(n), ['0 osób', '1 osoba', '2 osoby', '5 osób', '12 osób', '22 osoby', '25 osób', '101 osób', '112 osób']],
  ['ogłoszenie wysłane', (n) => announcementMessages.pl.sentText(n), ['wychodzi do 0 osób.', 'wychodzi do 1 osoby.', 'wychodzi do 2 osób.', 'wychodzi do 5 osób.', 'wychodzi do 12 osób.', 'wychodzi do 22 osób.', 'wychodzi do 25 osób.', 'wychodzi do 101 osób.', 'wychodzi do 112 osób.']],
  ['ogłoszenie za długie', (n) => announcementMessages.pl.tooLong(2000, n), ['ma 0 znaków,', 'ma 1 znak,', 'ma 2 znaki,', 'ma 5 znaków,', 'ma 12 znaków,', 'ma 22 znaki,', 'ma 25 znaków,', 'ma 101 znaków,', 'ma 112 znaków,']],
  ['ogłoszenie: limit', (n) => announcementMessages.pl.tooLong(n, 5002), ['najwyżej 0 znaków.', 'najwyżej 1 znak.', 'najwyżej 2 znaki.', 'najwyżej 5 znaków.', 'najwyżej 12 znaków.', 'najwyżej 22 znaki.', 'najwyżej 25 znaków.', 'najwyżej 101 znaków.', 'najwyżej 112 znaków.']],
  ['raport doręczenia', (n) => announcementMessages.pl.reportText(n, n), ['do 0 z 0 odbiorców.', 'do 1 z 1 odbiorcy.', 'do 2 z 2 odbiorców.', 'do 5 z 5 odbiorców.', 'do 12 z 12 odbiorców.', 'do 22 z 22 odbiorców.', 'do 25 z 25 odbiorców.', 'do 101 z 101 odbiorców.', 'do 112 z 112 odbiorców.']],
  ['najbliższe spotkania', (n) => botMessages.pl.meetingsSummary(n), ['Najbliższych 0 spotkań', 'Najbliższe spotkanie Pani/Pana', 'Najbliższe 2 spotkania', 'Najbliższych 5 spotkań', 'Najbliższych 12 spotkań', 'Najbliższe 22 spotkania', 'Najbliższych 25 spotkań', 'Najbliższych 101 spotkań', 'Najbliższych 112 spotkań']],
  ['spotkanie odwołane', (n) => changeCommandMessages.pl.cancelled('wtorek, 9 lutego 2027, 10:00', n), ['Nikt z zespołu nie otrzyma powiadomienia.', 'Powiadomienie otrzyma 1 osoba z zespołu.', 'Powiadomienie otrzymają 2 osoby z zespołu.', 'Powiadomienie otrzyma 5 osób z zespołu.', 'Powiadomienie otrzyma 12 osób z zespołu.', 'Powiadomienie otrzymają 22 osoby z zespołu.', 'Powiadomienie otrzyma 25 osób z zespołu.', 'Powiadomienie otrzyma 101 osób z zespołu.', 'Powiadomienie otrzyma 112 osób z zespołu.']],
  ['aktualizacje statusu', (n) => checkinMessages.pl.updates(n), ['0 aktualizacji statusu', '1 aktualizacja statusu', '2 aktualizacje statusu', '5 aktualizacji statusu', '12 aktualizacji statusu', '22 aktualizacje statusu', '25 aktualizacji statusu', '101 aktualizacji statusu', '112 aktualizacji statusu']],
  ['otwarte zgłoszenia', (n) => checkinMessages.pl.open(n), ['0 otwartych zgłoszeń', '1 otwarte zgłoszenie', '2 otwarte zgłoszenia', '5 otwartych zgłoszeń', '12 otwartych zgłoszeń', '22 otwarte zgłoszenia', '25 otwartych zgłoszeń', '101 otwartych zgłoszeń', '112 otwartych zgłoszeń']],
  ['moje dane', (n) => privacyMessages.pl.summary(n, n), ['0 odpowiedzi\nWiadomości wysłane przez Kooperatora: 0 wiadomości', '1 odpowiedź\nWiadomości wysłane przez Kooperatora: 1 wiadomość', '2 odpowiedzi\n', '5 odpowiedzi\n', '12 odpowiedzi\n', '22 odpowiedzi\n', '25 odpowiedzi\n', '101 odpowiedzi\n', '112 wiadomości']],
  ['treść za długa', (n) => reportMessages.pl.tooLong(5000, n), ['ma 0 znaków,', 'ma 1 znak,', 'ma 2 znaki,', 'ma 5 znaków,', 'ma 12 znaków,', 'ma 22 znaki,', 'ma 25 znaków,', 'ma 101 znaków,', 'ma 112 znaków,']],
  ['lista zgłoszeń', (n) => reportMessages.pl.listSummary(n), ['0 najnowszych zgłoszeń widocznych', 'Zgłoszenie widoczne dla Pani/Pana:', '2 najnowsze zgłoszenia widoczne', '5 najnowszych zgłoszeń widocznych', '12 najnowszych zgłoszeń widocznych', '22 najnowsze zgłoszenia widoczne', '25 najnowszych zgłoszeń widocznych', '101 najnowszych zgłoszeń widocznych', '112 najnowszych zgłoszeń widocznych']],
  ['zgłoszenie czeka', (n) => reportMessages.pl.escalationText('LDZ-2027-014', n), ['od 0 dni roboczych', 'od 1 dnia roboczego', 'od 2 dni roboczych', 'od 5 dni roboczych', 'od 12 dni roboczych', 'od 22 dni roboczych', 'od 25 dni roboczych', 'od 101 dni roboczych', 'od 112 dni roboczych']],
  ['harmonogram: znaleziono', (n) => schedulePageMessages.pl.found(n), ['0 terminów.', '1 termin.', '2 terminy.', '5 terminów.', '12 terminów.', '22 terminy.', '25 terminów.', '101 terminów.', '112 terminów.']],
];

const english: NumberCase[] = [
  ['announcement recipients', (n) => announcementMessages.en.people(n), ['0 people', '1 person', '2 people', '5 people', '12 people', '22 people', '25 people', '101 people', '112 people']],
  ['announcement too long', (n) => announcementMessages.en.tooLong(2000, n), ['0 characters,', '1 character,', '2 characters,', '5 characters,', '12 characters,', '22 characters,', '25 characters,', '101 characters,', '112 characters,']],
  ['delivery report', (n) => announcementMessages.en.reportText(n, n), ['0 of 0 recipients.', '1 of 1 recipient.', '2 of 2 recipients.', '5 of 5 recipients.', '12 of 12 recipients.', '22 of 22 recipients.', '25 of 25 recipients.', '101 of 101 recipients.', '112 of 112 recipients.']],
  ['next meetings', (n) => botMessages.en.meetingsSummary(n), ['The next 0 meetings', 'The next meeting of', 'The next 2 meetings', 'The next 5 meetings', 'The next 12 meetings', 'The next 22 meetings', 'The next 25 meetings', 'The next 101 meetings', 'The next 112 meetings']],
  ['meeting cancelled', (n) => changeCommandMessages.en.cancelled('Tuesday, 9 February 2027, 10:00', n), ['Nobody in the team will be told.', '1 member of the team will be told.', '2 members', '5 members', '12 members', '22 members', '25 members', '101 members', '112 members']],
  ['seats changed', (n) => activityAdminMessages.en.seatsDone('Budżet', n, 0), ['0 seats.', '1 seat.', '2 seats.', '5 seats.', '12 seats.', '22 seats.', '25 seats.', '101 seats.', '112 seats.']],
  ['seats below accepted', (n) => activityAdminMessages.en.seatsBelow(n, n), ['Cannot set 0 seats: 0 people have', 'Cannot set 1 seat: 1 person has', 'Cannot set 2 seats: 2 people have', '5 people have', '12 people have', '22 people have', '25 people have', '101 people have', '112 people have']],
  ['seats below offered', (n) => activityAdminMessages.en.seatsBelowOffered(n, 0, n), ['0 seats: 0 are taken', '1 seat: 1 is taken', '2 seats: 2 are taken', '5 are taken', '12 are taken', '22 are taken', '25 are taken', '101 are taken', '112 are taken']],
  ['report waits', (n) => reportMessages.en.escalationText('LDZ-2027-014', n), ['0 working days', '1 working day ', '2 working days', '5 working days', '12 working days', '22 working days', '25 working days', '101 working days', '112 working days']],
  ['report list', (n) => reportMessages.en.listSummary(n), ['The latest 0 reports', 'The report you may see:', 'The latest 2 reports', 'The latest 5 reports', 'The latest 12 reports', 'The latest 22 reports', 'The latest 25 reports', 'The latest 101 reports', 'The latest 112 reports']],
  ['schedule found', (n) => schedulePageMessages.en.found(n), ['0 dates.', '1 date.', '2 dates.', '5 dates.', '12 dates.', '22 dates.', '25 dates.', '101 dates.', '112 dates.']],
];

describe.each([
  ['Polish', polish],
  ['English', english],
])('%s messages with a number', (_language, cases) => {
  it.each(cases)('%s: the words agree with 0, 1, 2, 5, 12, 22, 25, 101 and 112', (_name, render, expected) => {
    expect(NUMBERS.map((n) => render(n))).toEqual(NUMBERS.map((_n, i) => expect.stringContaining(expected[i]!)));
  });
});

// Monday 8 to Sunday 14 February 2027, 10:00 in Warsaw.
const WEEK = [8, 9, 10, 11, 12, 13, 14].map((day) => DateTime.fromObject({ year: 2027, month: 2, day, hour: 10 }, { zone: 'Europe/Warsaw' }));
const pl = (i: number) => formatDateTime(WEEK[i]!, 'pl');
const en = (i: number) => formatDateTime(WEEK[i]!, 'en');

type WeekdayCase = [name: string, render: (date: string) => string, expected: readonly string[]];

// Each row: the message, then what it must contain for Monday … Sunday.
const polishWeekdays: WeekdayCase[] = [
  ['link do potwierdzenia (do)', (d) => confirmationMessages.pl.text('erase', d), ['do poniedziałku, 8 lutego', 'do wtorku, 9 lutego', 'do środy, 10 lutego', 'do czwartku, 11 lutego', 'do piątku, 12 lutego', 'do soboty, 13 lutego', 'do niedzieli, 14 lutego']],
  ['zwolnione miejsce (do)', (d) => invitationMessages.pl.offerText('Budżet', d), ['do poniedziałku,', 'do wtorku,', 'do środy,', 'do czwartku,', 'do piątku,', 'do soboty,', 'do niedzieli,']],
  ['termin odpowiedzi (do)', (d) => invitationMessages.pl.deadlineText('Budżet', d), ['do poniedziałku,', 'do wtorku,', 'do środy,', 'do czwartku,', 'do piątku,', 'do soboty,', 'do niedzieli,']],
  ['miejsce zarezerwowane (do)', (d) => workshopViewMessages.pl.offered(d), ['do poniedziałku,', 'do wtorku,', 'do środy,', 'do czwartku,', 'do piątku,', 'do soboty,', 'do niedzieli,']],
  ['prośba o status (z)', (d) => checkinMessages.pl.askText(d), ['po spotkaniu z poniedziałku, 8 lutego', 'po spotkaniu z wtorku,', 'po spotkaniu ze środy,', 'po spotkaniu z czwartku,', 'po spotkaniu z piątku,', 'po spotkaniu z soboty,', 'po spotkaniu z niedzieli,']],
  ['przypomnienie o statusie (z)', (d) => checkinMessages.pl.nudgeText(d), ['z poniedziałku,', 'z wtorku,', 'ze środy,', 'z czwartku,', 'z piątku,', 'z soboty,', 'z niedzieli,']],
  ['podsumowanie (od)', (d) => checkinMessages.pl.digestTitle(d), ['(od poniedziałku,', '(od wtorku,', '(od środy,', '(od czwartku,', '(od piątku,', '(od soboty,', '(od niedzieli,']],
  ['przeniesione (na)', (d) => changeCommandMessages.pl.moved(pl(0), d, 3), ['przeniesiono na poniedziałek,', 'przeniesiono na wtorek,', 'przeniesiono na środę,', 'przeniesiono na czwartek,', 'przeniesiono na piątek,', 'przeniesiono na sobotę,', 'przeniesiono na niedzielę,']],
  ['odwołane (na)', (d) => reminderTexts.pl.cancelledText('Łódź', d), ['zaplanowane na poniedziałek,', 'zaplanowane na wtorek,', 'zaplanowane na środę,', 'zaplanowane na czwartek,', 'zaplanowane na piątek,', 'zaplanowane na sobotę,', 'zaplanowane na niedzielę,']],
  ['nowy termin (na)', (d) => reminderTexts.pl.movedText('Łódź', d, pl(0), 'sala 5'), ['na poniedziałek,', 'na wtorek,', 'na środę,', 'na czwartek,', 'na piątek,', 'na sobotę,', 'na niedzielę,']],
  ['nowy termin: tytuł (mianownik)', (d) => reminderTexts.pl.movedTitle('Łódź', d), ['(poprzednio: poniedziałek,', '(poprzednio: wtorek,', '(poprzednio: środa,', '(poprzednio: czwartek,', '(poprzednio: piątek,', '(poprzednio: sobota,', '(poprzednio: niedziela,']],
  ['wysłana ponownie (w)', (d) => deliveriesTexts.pl.retried.sent(d), ['ponownie w poniedziałek,', 'ponownie we wtorek,', 'ponownie w środę,', 'ponownie w czwartek,', 'ponownie w piątek,', 'ponownie w sobotę,', 'ponownie w niedzielę,']],
];

const englishWeekdays: WeekdayCase[] = [
  ['confirmation link', (d) => confirmationMessages.en.text('erase', d), ['by Monday, 8 February', 'by Tuesday,', 'by Wednesday,', 'by Thursday,', 'by Friday,', 'by Saturday,', 'by Sunday,']],
  ['meeting moved', (d) => changeCommandMessages.en.moved(en(0), d, 3), ['moved to Monday,', 'moved to Tuesday,', 'moved to Wednesday,', 'moved to Thursday,', 'moved to Friday,', 'moved to Saturday,', 'moved to Sunday,']],
  ['meeting cancelled', (d) => reminderTexts.en.cancelledText('Łódź', d), ['planned for Monday,', 'planned for Tuesday,', 'planned for Wednesday,', 'planned for Thursday,', 'planned for Friday,', 'planned for Saturday,', 'planned for Sunday,']],
  ['sent again', (d) => deliveriesTexts.en.retried.sent(d), ['Sent again on Monday,', 'on Tuesday,', 'on Wednesday,', 'on Thursday,', 'on Friday,', 'on Saturday,', 'on Sunday,']],
];

describe.each([
  ['Polish', polishWeekdays, pl],
  ['English', englishWeekdays, en],
])('%s messages with a date', (_language, cases, format) => {
  it.each(cases)('%s: every weekday in the case its sentence needs', (_name, render, expected) => {
    expect(WEEK.map((_d, i) => render(format(i)))).toEqual(WEEK.map((_d, i) => expect.stringContaining(expected[i]!)));
  });
});

describe('titles that name what happened', () => {
  it('should title a refused change of seats as such, not as an event left uncreated', () => {
    expect(activityAdminMessages.pl.seatsRefusedTitle).toBe('Nie zmieniono liczby miejsc');
    expect(activityAdminMessages.en.seatsRefusedTitle).toBe('The seats were not changed');
  });
});

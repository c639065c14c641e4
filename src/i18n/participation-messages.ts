import { afterPreposition } from './format.js';
import { icu } from './icu.js';
import type { Language } from './messages.js';

/** Why an answer before a meeting was refused (src/participation/meeting-answers.ts). */
export type AnswerRefusal =
  | 'not_member'
  | 'no_meeting'
  | 'closed'
  | 'unknown_substitute'
  | 'self_substitute'
  | 'other_institution'
  | 'substitute_missing'
  | 'reason_too_long';

/**
 * Texts of "Będę" / "Nie będę" / "Przyjdzie za mnie…", absences and the attendance summary.
 * `when` is formatDateTime's "wtorek, 12 stycznia 2027, 10:00"; Polish puts it in the case its
 * preposition governs (afterPreposition). Plurals go through icu().
 */
export const participationMessages = {
  pl: {
    attendingLabel: 'Będę',
    notAttendingLabel: 'Nie będę',
    substituteLabel: 'Przyjdzie za mnie…',
    yourAnswerLabel: 'Pani/Pana odpowiedź',
    substituteForLabel: 'W zastępstwie za',
    answerNames: { attending: 'będę', not_attending: 'nie będę' } as Record<string, string>,
    title: 'Odpowiedź na spotkanie',
    recorded: (answer: 'attending' | 'not_attending', team: string, when: string, substitute?: string) =>
      answer === 'attending'
        ? `Zapisano: będzie Pani/Pan na spotkaniu zespołu ${team} ${afterPreposition('w', when)}.`
        : `Zapisano: nie będzie Pani/Pana na spotkaniu zespołu ${team} ${afterPreposition('w', when)}.` +
          (substitute ? ` W zastępstwie przyjdzie ${substitute}; wyślemy tej osobie przypomnienia o tym spotkaniu.` : ' Nie wyślemy już Pani/Panu przypomnień o tym spotkaniu.'),
    confirmationTitle: (team: string) => `Zapisana odpowiedź: spotkanie zespołu ${team}`,
    substituteNoticeTitle: (team: string) => `Zastępstwo na spotkaniu zespołu ${team}`,
    substituteReleasedTitle: (team: string) => `Zastępstwo nieaktualne: spotkanie zespołu ${team}`,
    substituteReleasedText: (who: string, team: string, when: string) =>
      `${who} zmienił(a) odpowiedź: zastępstwo na spotkaniu zespołu ${team} (${when}) nie jest już potrzebne. Nie musi Pani/Pan przychodzić; przypomnienia o tym spotkaniu nie będą wysyłane.`,
    substituteNoticeText: (who: string, team: string, when: string, where: string) =>
      `${who} prosi, aby przyszła Pani / przyszedł Pan w zastępstwie na spotkanie zespołu ${team} ${afterPreposition('w', when)} (${where}). Przypomnimy o nim jak pozostałym uczestnikom.`,
    refusals: {
      not_member: 'Odpowiedź może dać tylko członek zespołu, którego dotyczy spotkanie.',
      no_meeting: (date: string) => `W dniu ${date} nie ma spotkania Pani/Pana zespołu (albo zostało odwołane). Aktualne terminy pokazuje polecenie „spotkania”.`,
      closed: 'To spotkanie już się rozpoczęło, więc odpowiedzi nie zbieramy.',
      unknown_substitute: (email: string) => `Nie znamy osoby o adresie ${email}. Zastępca musi być wpisany do harmonogramu RCPS; proszę sprawdzić adres.`,
      self_substitute: 'Nie można wskazać siebie jako zastępcy.',
      other_institution: (email: string) => `Osoba o adresie ${email} pracuje w innej instytucji. Zastępca musi być z tej samej instytucji.`,
      substitute_missing: 'Proszę podać adres e-mail osoby, która przyjdzie w zastępstwie.',
      reason_too_long: (max: number) => icu('pl', 'Powód może mieć najwyżej {max, plural, one {# znak} few {# znaki} other {# znaków}}.', { max }),
    },
    usage:
      'Jak odpowiedzieć: „będę 12.01”, „nie będę 2027-01-12 urlop”, „zastępstwo 12.01.2027 jan.kowalski@example.org”. Datę można podać jako 2027-01-12, 12.01.2027, 12.01, „dziś” lub „jutro”; bez daty chodzi o najbliższe spotkanie.',
    badDate: (text: string) => `Nie rozumiem daty „${text}”. Proszę podać np. 2027-01-12, 12.01.2027, 12.01 albo „jutro”.`,
    whichTeam: (teams: string) => `Tego dnia ma Pani/Pan spotkania kilku zespołów. Proszę dopisać po dacie, którego: ${teams}.`,
    noUpcoming: 'Nie widzę najbliższego spotkania Pani/Pana zespołu.',
    formTitle: 'Przyjdzie za mnie…',
    formEmail: 'Adres e-mail zastępcy (z tej samej instytucji)',
    formReason: 'Powód (nieobowiązkowo)',
    formSubmit: 'Zapisz',
    reasonField: 'Powód (nieobowiązkowo)',
    pageTitle: (team: string) => `Spotkanie zespołu ${team}`,
    pageConfirm: (answer: string) => `Pani/Pana odpowiedź: „${answer}”. Proszę potwierdzić przyciskiem.`,
    pageButton: 'Zapisz odpowiedź',
    // Absences
    absenceAdded: (from: string, to: string, count: number) =>
      icu('pl', 'Zapisano nieobecność od {from} do {to}. {count, plural, =0 {W tym czasie nie ma spotkań Pani/Pana zespołów.} one {# spotkanie w tym czasie oznaczono „nie będę”; przypomnień o nim nie wyślemy.} few {# spotkania w tym czasie oznaczono „nie będę”; przypomnień o nich nie wyślemy.} other {# spotkań w tym czasie oznaczono „nie będę”; przypomnień o nich nie wyślemy.}}', { from, to, count }),
    absenceRemoved: (from: string, to: string, count: number) =>
      icu('pl', 'Usunięto nieobecność od {from} do {to}. {count, plural, =0 {} one {Cofnięto # odpowiedź „nie będę”, którą ta nieobecność dała.} few {Cofnięto # odpowiedzi „nie będę”, które ta nieobecność dała.} other {Cofnięto # odpowiedzi „nie będę”, które ta nieobecność dała.}}', { from, to, count }).trim(),
    absenceBad: 'Proszę podać dwie daty: „ustawienia urlop 2027-07-01 2027-07-14” (od, do; obie włącznie, pierwsza nie późniejsza niż druga, koniec nie w przeszłości).',
    absenceTooLong: (days: number) => icu('pl', 'Nieobecność może trwać najwyżej {days, plural, one {# dzień} few {# dni} many {# dni} other {# dnia}}. Proszę podać krótszy okres (dłuższy można zapisać w kilku częściach).', { days }),
    absenceUnknown: 'Nie ma takiej zapisanej nieobecności. Listę pokazuje „ustawienia urlop”.',
    absenceList: (lines: string[]) => (lines.length ? `Zapisane nieobecności:\n${lines.map((l) => `- ${l}`).join('\n')}` : 'Nie ma zapisanych nieobecności.'),
    absenceUsage: 'Dodanie: „ustawienia urlop 2027-07-01 2027-07-14”; usunięcie: „ustawienia urlop usuń 2027-07-01”.',
    absenceTitle: 'Nieobecności',
    absenceFrom: 'Urlop od',
    absenceTo: 'do',
    absenceAddButton: 'Dodaj nieobecność',
    absenceRemoveButton: 'Usuń',
    // Summary
    summaryTitle: (team: string, when: string) => `Obecność: spotkanie zespołu ${team} (${when})`,
    summaryCounts: (yes: number, no: number, none: number) =>
      icu('pl', '{yes, plural, one {# osoba będzie} few {# osoby będą} other {# osób będzie}}, {no, plural, one {# nie będzie} few {# nie będą} other {# nie będzie}}, {none, plural, =0 {wszyscy odpowiedzieli} one {# osoba nie odpowiedziała} few {# osoby nie odpowiedziały} other {# osób nie odpowiedziało}}.', { yes, no, none }),
    summaryPresent: (present: number, total: number) => icu('pl', 'Obecnych: {present} z {total}.', { present, total }),
    attendingWord: 'będzie',
    notAttendingWord: 'nie będzie',
    noAnswerWord: 'brak odpowiedzi',
    presentWord: 'obecna/obecny',
    absentWord: 'nieobecna/nieobecny',
    substituteWord: (name: string) => `zastępstwo: ${name}`,
    reasonWord: (reason: string) => `powód: ${reason}`,
    noInstitution: 'Bez instytucji',
    listPdf: 'Lista obecności (PDF)',
    listCsv: 'Lista obecności (CSV)',
    summaryRefused: 'Podsumowanie obecności widzą koordynatorzy zespołu i pracownicy RCPS.',
    summaryWhichTeam: (teams: string) => `Proszę wskazać zespół: „obecność <data> <zespół>”, np. jeden z: ${teams}.`,
    summaryUnknownTeam: (team: string) => `Nie ma zespołu „${team}” albo nie koordynuje go Pani/Pan.`,
    summaryNoMeeting: (date: string) => `W dniu ${date} nie ma spotkania tego zespołu.`,
  },
  en: {
    attendingLabel: 'I will come',
    notAttendingLabel: 'I will not come',
    substituteLabel: 'Someone will come for me…',
    yourAnswerLabel: 'Your answer',
    substituteForLabel: 'Standing in for',
    answerNames: { attending: 'I will come', not_attending: 'I will not come' } as Record<string, string>,
    title: 'Meeting answer',
    recorded: (answer: 'attending' | 'not_attending', team: string, when: string, substitute?: string) =>
      answer === 'attending'
        ? `Recorded: you will come to the ${team} team meeting on ${when}.`
        : `Recorded: you will not come to the ${team} team meeting on ${when}.` +
          (substitute ? ` ${substitute} will come instead; they will get this meeting's reminders.` : ' You will get no more reminders of this meeting.'),
    confirmationTitle: (team: string) => `Answer recorded: ${team} team meeting`,
    substituteNoticeTitle: (team: string) => `Standing in at the ${team} team meeting`,
    substituteReleasedTitle: (team: string) => `No longer needed: standing in at the ${team} team meeting`,
    substituteReleasedText: (who: string, team: string, when: string) =>
      `${who} changed their answer: you are no longer needed to stand in at the ${team} team meeting (${when}). You need not come; no reminders of it will be sent.`,
    substituteNoticeText: (who: string, team: string, when: string, where: string) =>
      `${who} asks you to come in their place to the ${team} team meeting on ${when} (${where}). You will get its reminders like the other participants.`,
    refusals: {
      not_member: 'Only a member of the meeting’s team can answer.',
      no_meeting: (date: string) => `Your team has no meeting on ${date} (or it was cancelled). "meetings" shows the current dates.`,
      closed: 'This meeting has already begun, so answers are closed.',
      unknown_substitute: (email: string) => `We do not know anyone at ${email}. A substitute must be in RCPS's schedule; please check the address.`,
      self_substitute: 'You cannot name yourself as the substitute.',
      other_institution: (email: string) => `The person at ${email} works for another institution. A substitute must be from the same institution.`,
      substitute_missing: 'Please give the e-mail address of the person who will come instead.',
      reason_too_long: (max: number) => icu('en', 'The reason may have at most {max, plural, one {# character} other {# characters}}.', { max }),
    },
    usage:
      'How to answer: "attending 12.01", "not-attending 2027-01-12 on leave", "substitute 12.01.2027 jan.kowalski@example.org". A date may be 2027-01-12, 12.01.2027, 12.01, "today" or "tomorrow"; without one, the next meeting.',
    badDate: (text: string) => `I do not understand the date "${text}". Please write e.g. 2027-01-12, 12.01.2027, 12.01 or "tomorrow".`,
    whichTeam: (teams: string) => `You have meetings of several teams that day. Please add which one after the date: ${teams}.`,
    noUpcoming: 'I see no next meeting of your team.',
    formTitle: 'Someone will come for me…',
    formEmail: 'Substitute’s e-mail (same institution)',
    formReason: 'Reason (optional)',
    formSubmit: 'Save',
    reasonField: 'Reason (optional)',
    pageTitle: (team: string) => `${team} team meeting`,
    pageConfirm: (answer: string) => `Your answer: "${answer}". Please confirm with the button.`,
    pageButton: 'Save my answer',
    absenceAdded: (from: string, to: string, count: number) =>
      icu('en', 'Absence from {from} to {to} saved. {count, plural, =0 {Your teams have no meetings then.} one {# meeting then is answered "I will not come"; no reminders will be sent for it.} other {# meetings then are answered "I will not come"; no reminders will be sent for them.}}', { from, to, count }),
    absenceRemoved: (from: string, to: string, count: number) =>
      icu('en', 'Absence from {from} to {to} removed. {count, plural, =0 {} one {# "I will not come" answer it made was withdrawn.} other {# "I will not come" answers it made were withdrawn.}}', { from, to, count }).trim(),
    absenceBad: 'Please give two dates: "settings leave 2027-07-01 2027-07-14" (from, to; both included, the first not after the second, the end not in the past).',
    absenceTooLong: (days: number) => icu('en', 'An absence may last at most {days, plural, one {# day} other {# days}}. Please give a shorter period (a longer one can be saved in parts).', { days }),
    absenceUnknown: 'I found no such absence. "settings leave" lists them.',
    absenceList: (lines: string[]) => (lines.length ? `Saved absences:\n${lines.map((l) => `- ${l}`).join('\n')}` : 'No absences saved.'),
    absenceUsage: 'Add: "settings leave 2027-07-01 2027-07-14"; remove: "settings leave remove 2027-07-01".',
    absenceTitle: 'Absences',
    absenceFrom: 'Away from',
    absenceTo: 'to',
    absenceAddButton: 'Add absence',
    absenceRemoveButton: 'Remove',
    summaryTitle: (team: string, when: string) => `Attendance: ${team} team meeting (${when})`,
    summaryCounts: (yes: number, no: number, none: number) =>
      icu('en', '{yes, plural, one {# person will come} other {# people will come}}, {no} will not, {none, plural, =0 {everyone answered} one {# has not answered} other {# have not answered}}.', { yes, no, none }),
    summaryPresent: (present: number, total: number) => icu('en', 'Present: {present} of {total}.', { present, total }),
    attendingWord: 'will come',
    notAttendingWord: 'will not come',
    noAnswerWord: 'no answer',
    presentWord: 'present',
    absentWord: 'absent',
    substituteWord: (name: string) => `substitute: ${name}`,
    reasonWord: (reason: string) => `reason: ${reason}`,
    noInstitution: 'No institution',
    listPdf: 'Attendance list (PDF)',
    listCsv: 'Attendance list (CSV)',
    summaryRefused: 'The attendance summary is for the team’s coordinators and RCPS staff.',
    summaryWhichTeam: (teams: string) => `Please name the team: "attendance <date> <team>", e.g. one of: ${teams}.`,
    summaryUnknownTeam: (team: string) => `There is no team "${team}", or you do not coordinate it.`,
    summaryNoMeeting: (date: string) => `This team has no meeting on ${date}.`,
  },
} satisfies Record<Language, Record<string, unknown>>;

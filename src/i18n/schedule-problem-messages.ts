import type { Language } from './messages.js';
import { num } from './icu.js';

/** Polish plural of a counted noun: 1 znak, 2–4 (not 12–14) znaki, otherwise znaków. */
const pl = (n: number, one: string, few: string, many: string) =>
  n === 1 ? one : n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 12 || n % 100 > 14) ? few : many;

const q = (values: readonly unknown[]) => values.map(String).join(', ');

/**
 * What an operator reads about a schedule file that cannot be imported, in their language
 * (the CLI's --lang; Polish unless English is chosen). Keys of the schema's own checks are
 * named in schedule-file.schema.ts; zod's general ones (a wrong type, an unknown option, a
 * length) are worded here by their code, so no validator English reaches a Polish operator.
 */
export const scheduleProblemMessages = {
  pl: {
    header: (n: number) => `W harmonogramie ${pl(n, 'jest 1 problem', `są ${num('pl', n)} problemy`, `jest ${num('pl', n)} problemów`)}; niczego nie zmieniono:`,
    top: '(cały plik)',
    // The schema's own checks, by key.
    id: 'może zawierać tylko a–z, 0–9 i „-” (jest częścią linków)',
    localDateTime: 'musi być lokalną datą i godziną, np. 2027-01-12T10:00',
    localDate: 'musi być datą, np. 2027-03-09',
    duration: 'musi być dodatnim czasem trwania w zapisie ISO 8601, np. PT2H lub P1D',
    url: 'musi być linkiem http(s), np. https://example.org/meet/pzk',
    email: 'nie jest poprawnym adresem e-mail',
    teamsChannel: 'musi być identyfikatorem kanału Teams, np. 19:a1b2c3d4e5f6@thread.tacv2 (z „Uzyskaj link do kanału”: część po /channel/, po zdekodowaniu)',
    timezone: 'nie jest znaną strefą czasową (np. Europe/Warsaw)',
    notEmpty: 'nie może być puste',
    checkinAt: 'musi być godziną, np. 09:00',
    code: 'musi mieć od 2 do 5 wielkich liter, np. LDZ',
    audience: 'musi być „all” albo listą identyfikatorów zespołów, np. [lodz, lowicz]',
    slackChannel: 'musi być identyfikatorem kanału Slack, np. C0123456',
    // zod's general checks, by code.
    required: 'jest wymagane, a go brakuje',
    type: (expected: string) =>
      ({ string: 'musi być tekstem', number: 'musi być liczbą', int: 'musi być liczbą całkowitą', boolean: 'musi mieć wartość true albo false', array: 'musi być listą', object: 'musi być mapą (klucz: wartość)' })[expected] ??
      `ma zły typ (oczekiwano: ${expected})`,
    oneOf: (values: readonly unknown[]) => `musi mieć jedną z wartości: ${q(values)}`,
    tooLongText: (max: number) => `może mieć najwyżej ${num('pl', max)} ${pl(max, 'znak', 'znaki', 'znaków')}`,
    tooManyItems: (max: number) => `może zawierać najwyżej ${num('pl', max)} ${pl(max, 'pozycję', 'pozycje', 'pozycji')}`,
    tooFewItems: (min: number) => `musi zawierać co najmniej ${num('pl', min)} ${pl(min, 'pozycję', 'pozycje', 'pozycji')}`,
    positive: 'musi być liczbą całkowitą większą od 0',
    invalid: 'ma niepoprawną wartość',
    unknownKeys: (keys: readonly string[]) => (keys.length > 1 ? `nieznane klucze ${keys.map((k) => `\`${k}\``).join(', ')}` : `nieznany klucz \`${keys[0]}\``),
    // Checks across entries and files.
    exceptionNeeds: 'potrzebuje `cancelled: true` albo `moved_to: RRRR-MM-DDTGG:MM`',
    exceptionBoth: 'nie może być jednocześnie odwołane i przeniesione',
    endsBeforeStarts: (starts: string) => `musi być później niż początek (${starts})`,
    rsvpAfterStart: (day: string) => `nie może być później niż dzień rozpoczęcia (${day})`,
    duplicateTeam: (id: string) => `identyfikator zespołu „${id}” się powtarza`,
    duplicateActivity: (id: string) => `identyfikator wydarzenia „${id}” się powtarza`,
    duplicateMember: (email: string, at: string) => `${email} jest już wpisany jako ${at}`,
    twoExceptions: (date: string) => `${date} ma dwa wyjątki`,
    notMeetingDay: (date: string, rule: string, starts: string) => `${date} nie jest dniem spotkania tej serii (${rule} od ${starts})`,
    personDiffers: (email: string, at: string) => `${email} jest też wpisany jako ${at} z innym imieniem i nazwiskiem albo językiem; prosimy opisać osobę wszędzie tak samo`,
    staffTwice: (email: string) => `${email} jest na liście staff dwa razy`,
    unknownTeam: (id: string, known: readonly string[]) => `nieznany zespół „${id}” (znane zespoły: ${known.length ? q(known) : 'brak'})`,
    sameFileName: (other: string) => `ma tę samą nazwę co ${other}; pliki rozróżnia się po nazwie`,
    teamInOtherFile: (id: string, other: string) => `„${id}” jest już zespołem w ${other}`,
    activityInOtherFile: (id: string, other: string) => `„${id}” jest już wydarzeniem w ${other}`,
    duplicateQuestion: (id: string) => `identyfikator pytania „${id}” się powtarza w tym wydarzeniu`,
    duplicateOption: (id: string) => `identyfikator odpowiedzi „${id}” się powtarza w tym pytaniu`,
    optionsForText: 'pytanie z odpowiedzią tekstową (kind: text) nie ma listy options; prosimy ją usunąć albo wpisać kind: choice',
    choiceNeedsOptions: (kind: string) => `pytanie kind: ${kind} potrzebuje listy options z co najmniej jedną odpowiedzią, np. options: [{ id: wege, label: wegetariańska }]`,
    // Checks against the database (what is stored: other files, seats taken, erasures, chat changes).
    teamFromOtherFile: (id: string, owner: string) => `„${id}” jest już zespołem z pliku ${owner}; identyfikatory muszą być różne we wszystkich plikach`,
    activityFromOtherFile: (id: string, owner: string) => `„${id}” jest już wydarzeniem z pliku ${owner}`,
    capacityBelowAccepted: (capacity: number, id: string, taken: number) =>
      `${num('pl', capacity)} to mniej, niż jest osób, które już przyjęły zaproszenie na „${id}” (${num('pl', taken)}); prosimy wpisać capacity co najmniej ${taken}`,
    capacityBelowTaken: (capacity: number, id: string, taken: number, accepted: number, offered: number) =>
      `${num('pl', capacity)} to mniej, niż jest zajętych miejsc na „${id}” (${num('pl', taken)}; przyjęte zaproszenia: ${num('pl', accepted)}, wciąż ważne propozycje dla listy oczekujących: ${num('pl', offered)}); prosimy wpisać capacity co najmniej ${taken}`,
    teamNotKnown: (id: string) => `nieznany zespół „${id}”`,
    erasedPerson: (email: string, day: string) =>
      `osoba o adresie ${email} poprosiła o usunięcie swoich danych osobowych (${day}); prosimy usunąć ją z pliku, a jeśli poprosiła o powrót, uruchomić: npm run kooperator -- forget-erasure ${email}`,
    movedOverlaps: (date: string, to: string, other: string) => `spotkanie z dnia ${date}, przeniesione na ${to}, nakładałoby się na spotkanie ${other}; prosimy wybrać inny termin`,
    chatMoveOverlaps: (date: string, to: string, other: string) =>
      `spotkanie z dnia ${date}, przeniesione na czacie na ${to}, nakładałoby się na spotkanie ${other}; rozstrzyga wpis except z datą ${date}: prosimy go dodać`,
    // The file itself.
    yaml: (detail: string) => `błąd składni YAML (komunikat parsera: ${detail})`,
    notMapping: 'musi być mapą z kluczami teams, staff i activities',
    aliasCircular: (name: string) => `YAML: alias *${name} jest użyty wewnątrz węzła, który sam nazywa`,
    aliasTooMuch: (max: number) => `YAML: aliasy (*nazwa) kopiują za dużo; razem mogą skopiować najwyżej ${num('pl', max)} węzłów`,
    tooLarge: (size: string, max: string) => `ma ${size}; plik harmonogramu może mieć najwyżej ${max} (prosimy podzielić go na kilka plików)`,
    notUtf8: 'nie jest tekstem UTF-8; prosimy zapisać go jako UTF-8 (inaczej nazwiska trafiłyby do bazy ze znakami �)',
    unreadable: (code: string) => `nie da się go odczytać (${code})`,
    // RRULE, part by part.
    rruleOnly: 'prosimy podać samą regułę (FREQ=…); pierwsze spotkanie wpisuje się w `starts`',
    rruleInvalid: (detail?: string) => `nie jest poprawną regułą RRULE${detail ? `: ${detail}` : ''}; np. FREQ=MONTHLY;BYDAY=2TU,4TU`,
    rrulePart: (part: string) => `„${part}” nie jest częścią postaci NAZWA=wartość`,
    rruleTwice: (key: string) => `${key} podano dwa razy`,
    rruleNoFreq: 'brakuje FREQ; np. FREQ=MONTHLY;BYDAY=2TU,4TU',
    rruleCountUntil: 'nie jest poprawną regułą RRULE: prosimy podać COUNT albo UNTIL, nie oba',
    rruleFreq: (given: string, allowed: readonly string[]) => `FREQ=${given} nie jest częstotliwością spotkań; możliwe: ${q(allowed)}`,
    rruleWhole: (name: string, given: string) => `${name}=${given} musi być liczbą całkowitą od 1 do 9999`,
    rruleUntil: (value: string) => `UNTIL=${value} musi być datą, np. 20271231, albo datą z godziną, np. 20271231T235900`,
    rruleWkst: (value: string) => `WKST=${value} musi być dniem tygodnia: MO, TU, WE, TH, FR, SA albo SU`,
    rruleByday: (bad: string) => `BYDAY zawiera „${bad}”; prosimy użyć dni MO, TU, WE, TH, FR, SA, SU, ewentualnie z numerem, np. 2TU albo -1FR`,
    rruleUnknownPart: (name: string) => `${name} nie jest częścią reguły RRULE, którą ta usługa rozumie`,
    rruleNumbers: (name: string, bad: string, allowed: string) => `${name} zawiera „${bad}”; dozwolone są liczby całkowite ${allowed}`,
  },
  en: {
    header: (n: number) => `The schedule has ${num('en', n)} ${n === 1 ? 'problem' : 'problems'}; nothing was changed:`,
    top: '(top)',
    id: 'must use only a-z, 0-9 and "-" (it appears in links)',
    localDateTime: 'must be a local date and time like 2027-01-12T10:00',
    localDate: 'must be a date like 2027-03-09',
    duration: 'must be a positive ISO 8601 duration like PT2H or P1D',
    url: 'must be an http(s) link like https://example.org/meet/pzk',
    email: 'is not a valid e-mail address',
    teamsChannel: 'must be a Teams channel id like 19:a1b2c3d4e5f6@thread.tacv2 (from the channel\'s "Get link to channel": the part after /channel/, URL-decoded)',
    timezone: 'is not a known time zone (e.g. Europe/Warsaw)',
    notEmpty: 'must not be empty',
    checkinAt: 'must be a time like 09:00',
    code: 'must be 2 to 5 capital letters, e.g. LDZ',
    audience: 'must be "all" or a list of team ids like [lodz, lowicz]',
    slackChannel: 'must be a Slack channel id like C0123456',
    required: 'is required but missing',
    type: (expected: string) =>
      ({ string: 'must be text', number: 'must be a number', int: 'must be a whole number', boolean: 'must be true or false', array: 'must be a list', object: 'must be a mapping (key: value)' })[expected] ??
      `has the wrong type (expected: ${expected})`,
    oneOf: (values: readonly unknown[]) => `must be one of: ${q(values)}`,
    tooLongText: (max: number) => `may be at most ${num('en', max)} ${max === 1 ? 'character' : 'characters'} long`,
    tooManyItems: (max: number) => `may list at most ${num('en', max)} ${max === 1 ? 'item' : 'items'}`,
    tooFewItems: (min: number) => `must list at least ${num('en', min)} ${min === 1 ? 'item' : 'items'}`,
    positive: 'must be a whole number greater than 0',
    invalid: 'has a value that is not valid',
    unknownKeys: (keys: readonly string[]) => `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `\`${k}\``).join(', ')}`,
    exceptionNeeds: 'needs `cancelled: true` or `moved_to: YYYY-MM-DDTHH:MM`',
    exceptionBoth: 'cannot be both cancelled and moved',
    endsBeforeStarts: (starts: string) => `must be after starts (${starts})`,
    rsvpAfterStart: (day: string) => `must not be after the activity starts (${day})`,
    duplicateTeam: (id: string) => `duplicate team id "${id}"`,
    duplicateActivity: (id: string) => `duplicate activity id "${id}"`,
    duplicateMember: (email: string, at: string) => `${email} is already ${at}`,
    twoExceptions: (date: string) => `${date} has two exceptions`,
    notMeetingDay: (date: string, rule: string, starts: string) => `${date} is not a meeting day of this series (${rule} from ${starts})`,
    personDiffers: (email: string, at: string) => `${email} is also ${at} with another name or language; describe a person the same way everywhere`,
    staffTwice: (email: string) => `${email} is listed twice in staff`,
    unknownTeam: (id: string, known: readonly string[]) => `unknown team "${id}" (known teams: ${known.length ? q(known) : 'none'})`,
    sameFileName: (other: string) => `has the same file name as ${other}; files are told apart by name`,
    teamInOtherFile: (id: string, other: string) => `"${id}" is already a team in ${other}`,
    activityInOtherFile: (id: string, other: string) => `"${id}" is already an activity in ${other}`,
    duplicateQuestion: (id: string) => `duplicate question id "${id}" in this activity`,
    duplicateOption: (id: string) => `duplicate option id "${id}" in this question`,
    optionsForText: 'a free-text question (kind: text) has no options; remove them or set kind: choice',
    choiceNeedsOptions: (kind: string) => `a kind: ${kind} question needs options with at least one answer, e.g. options: [{ id: vegetarian, label: wegetariańska }]`,
    teamFromOtherFile: (id: string, owner: string) => `"${id}" is already a team from ${owner}; ids must be unique across files`,
    activityFromOtherFile: (id: string, owner: string) => `"${id}" is already an activity from ${owner}`,
    capacityBelowAccepted: (capacity: number, id: string, taken: number) => `${num('en', capacity)} is below the ${num('en', taken)} ${taken === 1 ? 'person' : 'people'} who already accepted "${id}"; set capacity to at least ${taken}`,
    capacityBelowTaken: (capacity: number, id: string, taken: number, accepted: number, offered: number) =>
      `${num('en', capacity)} is below the ${num('en', taken)} ${taken === 1 ? 'seat' : 'seats'} taken at "${id}" (${num('en', accepted)} accepted, ${num('en', offered)} offered to the waiting list and not yet lapsed); set capacity to at least ${taken}`,
    teamNotKnown: (id: string) => `unknown team "${id}"`,
    erasedPerson: (email: string, day: string) =>
      `${email} asked for their personal data to be erased (${day}); remove them from the file, or, if they asked to come back, run: npm run kooperator -- forget-erasure ${email}`,
    movedOverlaps: (date: string, to: string, other: string) => `the meeting of ${date} moved to ${to} would overlap the meeting at ${other}; choose another time`,
    chatMoveOverlaps: (date: string, to: string, other: string) =>
      `the meeting of ${date}, moved in chat to ${to}, would overlap the meeting at ${other}; add an except entry for ${date} to decide`,
    yaml: (detail: string) => `YAML: ${detail}`,
    notMapping: 'must be a mapping with teams, staff and activities',
    aliasCircular: (name: string) => `YAML: the alias *${name} is used inside the node it names`,
    aliasTooMuch: (max: number) => `YAML: aliases (*name) copy too much; they may copy at most ${num('en', max)} nodes in all`,
    tooLarge: (size: string, max: string) => `is ${size}; a schedule file may be at most ${max} (split it into several files)`,
    notUtf8: 'is not UTF-8 text; save it as UTF-8 (names would otherwise be imported with � in them)',
    unreadable: (code: string) => `cannot be read (${code})`,
    rruleOnly: 'give only the rule (FREQ=…); the first meeting goes in `starts`',
    rruleInvalid: (detail?: string) => `is not a valid RRULE${detail ? `: ${detail}` : ''}; e.g. FREQ=MONTHLY;BYDAY=2TU,4TU`,
    rrulePart: (part: string) => `"${part}" is not a NAME=value part`,
    rruleTwice: (key: string) => `${key} is given twice`,
    rruleNoFreq: 'FREQ is missing; e.g. FREQ=MONTHLY;BYDAY=2TU,4TU',
    rruleCountUntil: 'is not a valid RRULE: give COUNT or UNTIL, not both',
    rruleFreq: (given: string, allowed: readonly string[]) => `FREQ=${given} is not a frequency for meetings; use ${q(allowed)}`,
    rruleWhole: (name: string, given: string) => `${name}=${given} must be a whole number from 1 to 9999`,
    rruleUntil: (value: string) => `UNTIL=${value} must be a date like 20271231 or a date and time like 20271231T235900`,
    rruleWkst: (value: string) => `WKST=${value} must be a weekday: MO, TU, WE, TH, FR, SA or SU`,
    rruleByday: (bad: string) => `BYDAY has "${bad}"; use weekdays MO, TU, WE, TH, FR, SA, SU, optionally numbered like 2TU or -1FR`,
    rruleUnknownPart: (name: string) => `${name} is not a part of an RRULE this service understands`,
    rruleNumbers: (name: string, bad: string, allowed: string) => `${name} has "${bad}"; it takes whole numbers ${allowed}`,
  },
} satisfies Record<Language, Record<string, unknown>>;

export type ScheduleProblemTexts = (typeof scheduleProblemMessages)[Language];
/** The schema's own checks name one of these keys as their message. */
export type SchemaMessageKey = 'id' | 'localDateTime' | 'localDate' | 'duration' | 'url' | 'email' | 'teamsChannel' | 'timezone' | 'notEmpty' | 'checkinAt' | 'code' | 'audience' | 'slackChannel';

import { botMessages } from '../../i18n/bot-messages.js';
import { formatDateTime } from '../../i18n/format.js';
import { messages } from '../../i18n/messages.js';
import type { Occurrence } from '../../domain/occurrences.js';
import type { Language } from '../../i18n/messages.js';
import type { Message } from '../../ports/channel.port.js';
import { knownPeople } from '../known-people.js';
import { upcomingMeetings } from '../upcoming-meetings.js';
import { changeAction, changeMeeting } from './change-meeting.js';
import type { CommandContext } from './context.js';

/** `spotkania`: the next meetings of my teams; `spotkania odwołaj|przenieś …` changes one. */
export async function meetingsCommand(ctx: CommandContext): Promise<Message> {
  const [word, ...args] = ctx.text.split(/\s+/).filter(Boolean);
  const action = changeAction(word);
  return action ? changeMeeting(ctx, action, args) : listMeetings(ctx);
}

export async function listMeetings({ db, clock, publicUrl, person, holdsUntil }: CommandContext): Promise<Message> {
  const language = person.language;
  const t = botMessages[language];
  const now = clock.now();
  // Eight calendar weeks in the server's zone, as luxon's plus({ weeks: 8 }) counts them; a
  // Date does it at a fraction of the cost, and this runs on every `spotkania`.
  const until = new Date(now);
  until.setDate(until.getDate() + 8 * 7);
  const meetings = await upcomingMeetings(db).of(await knownPeople(db).teamsOf(person.id), now, until);
  // Asked again, the list reads the same until just after its earliest meeting begins (the cap
  // on how long an answer is kept, src/bot/repeat-answers.ts, covers one entering the window).
  holdsUntil?.(new Date(Math.min(until.getTime(), ...meetings.map(({ occurrence }) => occurrence.originalStart.toMillis() + 1))));
  const upcoming = meetings
    .map(({ occurrence, team: { team, series } }) => ({ o: occurrence, team, series }))
    .sort((a, b) => a.o.start.toMillis() - b.o.start.toMillis())
    .slice(0, 6);
  if (upcoming.length === 0) return { language, title: t.meetingsTitle, text: t.noMeetings };
  // The same list in the same language is the same answer: built once, and kept as one object
  // so that adapters can keep what they render from it too.
  const key = `${language} ${publicUrl} ${upcoming.map(({ o }) => idOf(o)).join(',')}`;
  let answer = answers.get(key);
  if (!answer) {
    if (answers.size >= MAX_ANSWERS) answers.clear();
    answers.set(key, (answer = meetingsAnswer(language, publicUrl, upcoming)));
  }
  return answer;
}

const MAX_ANSWERS = 10_000;
const answers = new Map<string, Message>();
// Occurrences are made anew whenever their team's data changes (src/bot/upcoming-meetings.ts),
// so an id per object names a list of meetings together with everything shown about them.
const occurrenceIds = new WeakMap<Occurrence, number>();
let lastId = 0;
function idOf(occurrence: Occurrence): number {
  let id = occurrenceIds.get(occurrence);
  if (id === undefined) occurrenceIds.set(occurrence, (id = ++lastId));
  return id;
}

type Listed = { o: Occurrence; team: { id: string; name: string }; series: { location: string; online_url: string | null } };

function meetingsAnswer(language: Language, publicUrl: string, upcoming: Listed[]): Message {
  const t = botMessages[language];
  return {
    language,
    title: t.meetingsTitle,
    text: t.meetingsSummary(upcoming.length),
    items: upcoming.map(({ o, team, series }) => ({
      title: messages[language].meetingTitle(team.name),
      lines: [formatDateTime(o.start, language), series.location],
      links: [
        ...(series.online_url ? [{ label: t.onlineLabel, url: series.online_url }] : []),
        { label: t.teamFeedLabel, url: `${publicUrl}/calendars/teams/${team.id}.ics` },
      ],
    })),
  };
}

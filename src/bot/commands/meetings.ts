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
  return action ? changeMeeting(ctx, action, args) : listMeetings(ctx, word);
}

type Scope = { teamIds: string[]; kind: 'mine' | 'all' | 'one' };

/**
 * Whose meetings `spotkania` lists: my teams; one of them when named (`spotkania lodz`); and for
 * RCPS and admins, who may change any team's meetings, any one team or, when they are on no
 * team, every team (they used to hear "no meetings of your teams").
 */
async function scopeOf({ db, person }: CommandContext, named: string | undefined): Promise<Scope> {
  const mine = await knownPeople(db).teamsOf(person.id);
  if (!person.staff_role) return named && mine.includes(named) ? { teamIds: [named], kind: 'one' } : { teamIds: mine, kind: 'mine' };
  const all = (await db.selectFrom('teams').select('id').where('removed_at', 'is', null).execute()).map((t) => t.id);
  if (named && all.includes(named)) return { teamIds: [named], kind: 'one' };
  return mine.length > 0 ? { teamIds: mine, kind: 'mine' } : { teamIds: all, kind: 'all' };
}

export async function listMeetings(ctx: CommandContext, named?: string): Promise<Message> {
  const { db, clock, publicUrl, person, holdsUntil } = ctx;
  const language = person.language;
  const t = botMessages[language];
  const now = clock.now();
  const scope = await scopeOf(ctx, named);
  // Eight calendar weeks in the server's zone, as luxon's plus({ weeks: 8 }) counts them; a
  // Date does it at a fraction of the cost, and this runs on every `spotkania`.
  const until = new Date(now);
  until.setDate(until.getDate() + 8 * 7);
  const meetings = await upcomingMeetings(db).of(scope.teamIds, now, until);
  // Asked again, the list reads the same until just after its earliest meeting begins (the cap
  // on how long an answer is kept, src/bot/repeat-answers.ts, covers one entering the window).
  holdsUntil?.(new Date(Math.min(until.getTime(), ...meetings.map(({ occurrence }) => occurrence.start.toMillis() + 1))));
  const upcoming = meetings
    .map(({ occurrence, team: { team, series } }) => ({ o: occurrence, team, series }))
    .sort((a, b) => a.o.start.toMillis() - b.o.start.toMillis())
    .slice(0, 6);
  if (upcoming.length === 0) return { language, title: t.meetingsTitle, text: scope.kind === 'all' ? t.noMeetingsAll : t.noMeetings };
  // The same list in the same language is the same answer: built once, and kept as one object
  // so that adapters can keep what they render from it too.
  const summary = scope.kind === 'all' ? t.meetingsSummaryAll(upcoming.length) : scope.kind === 'one' ? t.meetingsSummaryOne(upcoming.length, upcoming[0]!.team.name) : t.meetingsSummary(upcoming.length);
  const key = `${language} ${publicUrl} ${scope.kind} ${upcoming.map(({ o }) => idOf(o)).join(',')}`;
  const first = upcoming[0]!.o;
  let kept = answers.get(first);
  if (!kept) answers.set(first, (kept = new Map()));
  let answer = kept.get(key);
  if (!answer) {
    if (kept.size >= MAX_ANSWERS_PER_FIRST) kept.clear();
    kept.set(key, (answer = meetingsAnswer(language, publicUrl, summary, upcoming)));
  }
  return answer;
}

/**
 * Answers kept by the first meeting they list, weakly: when that team's data changes its
 * occurrences are made anew and the answers listing the old ones go with them. A map by key
 * alone kept every superseded list until 10,000 of them (some 8 KB each with what adapters
 * render from them: the soak's live heap grew 0.35 MB a minute, a re-plan a minute; issue 17).
 * Lists that start with the same meeting differ only in other teams' meetings, language and
 * scope: a few, and a bound for when other teams change often.
 */
const MAX_ANSWERS_PER_FIRST = 64;
const answers = new WeakMap<Occurrence, Map<string, Message>>();
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

function meetingsAnswer(language: Language, publicUrl: string, summary: string, upcoming: Listed[]): Message {
  const t = botMessages[language];
  return {
    language,
    title: t.meetingsTitle,
    text: summary,
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

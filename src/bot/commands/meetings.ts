import { DateTime } from 'luxon';
import { botMessages } from '../../i18n/bot-messages.js';
import { formatDateTime } from '../../i18n/format.js';
import { messages } from '../../i18n/messages.js';
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

export async function listMeetings({ db, clock, publicUrl, person }: CommandContext): Promise<Message> {
  const language = person.language;
  const t = botMessages[language];
  const now = clock.now();
  const until = DateTime.fromJSDate(now).plus({ weeks: 8 }).toJSDate();
  const meetings = await upcomingMeetings(db).of(await knownPeople(db).teamsOf(person.id), now, until);
  const upcoming = meetings
    .map(({ occurrence, team: { team, series } }) => ({ o: occurrence, team, series }))
    .sort((a, b) => a.o.start.toMillis() - b.o.start.toMillis())
    .slice(0, 6);
  if (upcoming.length === 0) return { language, title: t.meetingsTitle, text: t.noMeetings };
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

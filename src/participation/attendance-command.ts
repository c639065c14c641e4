import type { CommandContext } from '../bot/commands/context.js';
import { teamsCoordinatedBy } from '../bot/identity.js';
import { formatDate } from '../i18n/format.js';
import { participationMessages } from '../i18n/participation-messages.js';
import type { Message } from '../ports/channel.port.js';
import { DateTime } from 'luxon';
import { looksLikeDate, meetingsOn, readAnswerDate } from './answer-dates.js';
import { loadSummary, summaryMessage } from './attendance-summary.js';

/**
 * `obecność [data] [zespół]` / `attendance`: who will come, who will not and who has not answered
 * (and, once recorded, who was present) for one meeting. A coordinator sees their own teams,
 * RCPS staff any team (naming it when there is more than one); a member is told politely whom
 * it is for. Without a date: the team's next meeting.
 */
export async function attendanceCommand(ctx: CommandContext): Promise<Message> {
  const { db, person, clock } = ctx;
  const language = person.language;
  const t = participationMessages[language];
  const reply = (text: string): Message => ({ language, title: t.title, text });
  const staff = person.staff_role === 'rcps' || person.staff_role === 'admin';
  const coordinated = await teamsCoordinatedBy(db, person.id);
  if (!staff && coordinated.length === 0) return reply(t.summaryRefused);

  const words = ctx.text.split(/\s+/).filter(Boolean);
  let day: string | undefined;
  if (words[0] && looksLikeDate(words[0])) {
    day = readAnswerDate(words[0], clock.now(), 'Europe/Warsaw');
    if (!day) return reply(t.badDate(words[0]));
    words.shift();
  }
  const named = words[0];
  let teamIds: string[];
  if (named) {
    const allowed = staff
      ? !!(await db.selectFrom('teams').select('id').where('id', '=', named).where('removed_at', 'is', null).executeTakeFirst())
      : coordinated.includes(named);
    if (!allowed) return reply(t.summaryUnknownTeam(named));
    teamIds = [named];
  } else if (!staff) {
    teamIds = coordinated;
  } else {
    const all = await db.selectFrom('teams').select('id').where('removed_at', 'is', null).orderBy('id').limit(11).execute();
    if (all.length !== 1) return reply(t.summaryWhichTeam(all.slice(0, 10).map((r) => r.id).join(', ')));
    teamIds = [all[0]!.id];
  }
  const found = await meetingsOn(db, teamIds, day, clock.now());
  if (found.length === 0) return reply(t.summaryNoMeeting(day ? formatDate(DateTime.fromISO(day), language) : '—'));
  if (found.length > 1) return reply(t.summaryWhichTeam(found.map((f) => f.team.team.id).join(', ')));
  const { team, occurrence } = found[0]!;
  const rows = await loadSummary(db, team.team.id, occurrence);
  return summaryMessage(team.team.name, team.team.id, occurrence, rows, language, { publicUrl: ctx.publicUrl, secret: ctx.appSecret, viewerId: person.id, now: clock.now() });
}

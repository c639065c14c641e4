import { z } from 'zod';
import { isValidLocalDate, isValidLocalDateTime, isZone, parseDuration } from '../domain/local-time.js';
import { rruleProblem } from './rrule-problem.js';

export { rruleProblem };

export const ACTIVITY_KINDS = ['workshop', 'training', 'coaching', 'conference', 'education', 'consultation'] as const;
export const CHANNELS = ['slack', 'teams', 'email'] as const;

const id = z.string().regex(/^[a-z0-9-]+$/, 'must use only a-z, 0-9 and "-" (it appears in links)');
const localDateTime = z.string().refine(isValidLocalDateTime, 'must be a local date and time like 2027-01-12T10:00');
const localDate = z.string().refine(isValidLocalDate, 'must be a date like 2027-03-09');
const duration = z.string().refine((d) => parseDuration(d) !== undefined, 'must be a positive ISO 8601 duration like PT2H or P1D');
const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) link like https://example.org/meet/pzk' });
const email = z.email({ error: 'is not a valid e-mail address' }).max(254);
// The id in a channel's "Get link to channel" (after /channel/, URL-decoded): 19:…@thread.tacv2, older ones …@thread.skype.
const teamsChannel = z
  .string()
  .regex(/^19:[^\s@/]+@thread\.(tacv2|skype)$/, 'must be a Teams channel id like 19:a1b2c3d4e5f6@thread.tacv2 (from the channel\'s "Get link to channel": the part after /channel/, URL-decoded)');
const timezone = z.string().refine(isZone, 'is not a known time zone (e.g. Europe/Warsaw)');
// YAML reads an unquoted 2027-03-09 as a date; accept it and use its calendar date.
const yamlDate = z.preprocess((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v), localDate);

const exception = z
  .strictObject({
    date: yamlDate,
    cancelled: z.boolean().optional(),
    moved_to: localDateTime.optional(),
  })
  .superRefine((e, ctx) => {
    if (!e.cancelled && !e.moved_to) ctx.addIssue({ code: 'custom', message: 'needs `cancelled: true` or `moved_to: YYYY-MM-DDTHH:MM`' });
    if (e.cancelled && e.moved_to) ctx.addIssue({ code: 'custom', message: 'cannot be both cancelled and moved' });
  });

const meetings = z.strictObject({
  rrule: z.string().superRefine((text, ctx) => {
    const problem = rruleProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  starts: localDateTime,
  duration,
  location: z.string().min(1, 'must not be empty'),
  online: url.optional(),
  reminders: z.array(duration).max(10).default(['P7D', 'P1D', 'PT2H']),
  on_holiday: z.enum(['skip', 'shift', 'keep']).default('shift'),
  except: z.array(exception).default([]),
  /** When coordinators are asked for a status, on the next working day after a meeting (local time). */
  checkin_at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time like 09:00').optional(),
});

const person = {
  name: z.string().trim().min(1, 'must not be empty').max(200),
  email,
  institution: z.string().max(300).optional(),
  channels: z.array(z.enum(CHANNELS)).min(1).default(['email']),
  language: z.enum(['pl', 'en']).default('pl'),
};

const member = z.strictObject({ ...person, role: z.enum(['member', 'coordinator']).default('member') });
const staff = z.strictObject({ ...person, role: z.enum(['rcps', 'admin']).default('rcps') });

const team = z.strictObject({
  id,
  name: z.string().min(1, 'must not be empty').max(200),
  area: z.enum(['gmina', 'powiat']),
  timezone: timezone.optional(),
  slack_channel: z.string().min(1).optional(),
  /** The team's Teams channel for announcements; the bot must have been added to that team in Teams. */
  teams_channel: teamsChannel.optional(),
  /** Letters of the team's problem-report ids (LDZ-2027-014); default: the id's first three, upper-cased. */
  code: z.string().regex(/^[A-Z]{2,5}$/, 'must be 2 to 5 capital letters, e.g. LDZ').optional(),
  meetings,
  members: z.array(member).default([]),
});

const activity = z
  .strictObject({
    id,
    kind: z.enum(ACTIVITY_KINDS),
    title: z.string().min(1, 'must not be empty').max(300),
    description: z.string().max(5000).optional(),
    starts: localDateTime,
    ends: localDateTime,
    timezone: timezone.optional(),
    location: z.string().min(1).optional(),
    online: url.optional(),
    capacity: z.number().int().positive().optional(),
    rsvp_by: yamlDate.optional(),
    audience: z.union([z.literal('all'), z.array(id).min(1)], { error: 'must be "all" or a list of team ids like [lodz, lowicz]' }),
    public: z.boolean().default(false),
  })
  .superRefine((a, ctx) => {
    if (a.ends <= a.starts) ctx.addIssue({ code: 'custom', path: ['ends'], message: `must be after starts (${a.starts})` });
    if (a.rsvp_by && a.rsvp_by > a.starts.slice(0, 10)) {
      ctx.addIssue({ code: 'custom', path: ['rsvp_by'], message: `must not be after the activity starts (${a.starts.slice(0, 10)})` });
    }
  });

export const scheduleFileSchema = z.strictObject({
  timezone: timezone.optional(),
  /** The RCPS Slack channel id that gets every new problem report (e.g. C0123456). */
  rcps_slack_channel: z.string().regex(/^[CG][A-Z0-9]+$/, 'must be a Slack channel id like C0123456').optional(),
  /** The RCPS Teams channel that gets every new problem report. */
  rcps_teams_channel: teamsChannel.optional(),
  teams: z.array(team).default([]),
  staff: z.array(staff).default([]),
  activities: z.array(activity).default([]),
});

export type ScheduleFile = z.infer<typeof scheduleFileSchema>;
export type TeamEntry = ScheduleFile['teams'][number];
export type MemberEntry = TeamEntry['members'][number];
export type StaffEntry = ScheduleFile['staff'][number];
export type ActivityEntry = ScheduleFile['activities'][number];

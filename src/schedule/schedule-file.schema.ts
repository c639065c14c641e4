import { z } from 'zod';
import { isValidLocalDate, isValidLocalDateTime, isZone, parseDuration } from '../domain/local-time.js';
import type { SchemaMessageKey } from '../i18n/schedule-problem-messages.js';
import { rruleProblem } from './rrule-problem.js';

export { rruleProblem };

export const ACTIVITY_KINDS = ['workshop', 'training', 'coaching', 'conference', 'education', 'consultation'] as const;
export const CHANNELS = ['slack', 'teams', 'email'] as const;

// Messages here are keys of src/i18n/schedule-problem-messages.ts: the operator reads them in their language.
const key = (k: SchemaMessageKey) => k;
const notEmpty = key('notEmpty');
const id = z.string().regex(/^[a-z0-9-]+$/, key('id'));
const localDateTime = z.string().refine(isValidLocalDateTime, key('localDateTime'));
const localDate = z.string().refine(isValidLocalDate, key('localDate'));
const duration = z.string().refine((d) => parseDuration(d) !== undefined, key('duration'));
const url = z.url({ protocol: /^https?$/, error: key('url') });
const email = z.email({ error: key('email') }).max(254);
// The id in a channel's "Get link to channel" (after /channel/, URL-decoded): 19:…@thread.tacv2, older ones …@thread.skype.
const teamsChannel = z
  .string()
  .regex(/^19:[^\s@/]+@thread\.(tacv2|skype)$/, key('teamsChannel'));
const timezone = z.string().refine(isZone, key('timezone'));
// YAML reads an unquoted 2027-03-09 as a date; accept it and use its calendar date.
const yamlDate = z.preprocess((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v), localDate);

// Checks that combine fields (cancelled or moved, ends after starts, rsvp_by, the RRULE's
// parts) are made in cross-check.ts on the raw data: a refinement here runs only once every
// other field of its object is right, so its problem would appear only after those are fixed.
const exception = z.strictObject({
  date: yamlDate,
  cancelled: z.boolean().optional(),
  moved_to: localDateTime.optional(),
});

const meetings = z.strictObject({
  rrule: z.string(),
  starts: localDateTime,
  duration,
  location: z.string().min(1, notEmpty),
  online: url.optional(),
  reminders: z.array(duration).max(10).default(['P7D', 'P1D', 'PT2H']),
  on_holiday: z.enum(['skip', 'shift', 'keep']).default('shift'),
  except: z.array(exception).default([]),
  /** When coordinators are asked for a status, on the next working day after a meeting (local time). */
  checkin_at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, key('checkinAt')).optional(),
});

const person = {
  name: z.string().trim().min(1, notEmpty).max(200),
  email,
  institution: z.string().max(300).optional(),
  channels: z.array(z.enum(CHANNELS)).min(1).default(['email']),
  language: z.enum(['pl', 'en']).default('pl'),
};

const member = z.strictObject({ ...person, role: z.enum(['member', 'coordinator']).default('member') });
const staff = z.strictObject({ ...person, role: z.enum(['rcps', 'admin']).default('rcps') });

const team = z.strictObject({
  id,
  name: z.string().min(1, notEmpty).max(200),
  area: z.enum(['gmina', 'powiat']),
  timezone: timezone.optional(),
  slack_channel: z.string().min(1).optional(),
  /** The team's Teams channel for announcements; the bot must have been added to that team in Teams. */
  teams_channel: teamsChannel.optional(),
  /** Letters of the team's problem-report ids (LDZ-2027-014); default: the id's first three, upper-cased. */
  code: z.string().regex(/^[A-Z]{2,5}$/, key('code')).optional(),
  meetings,
  members: z.array(member).default([]),
});

/** Registration questions (docs/participation.md, "Registration questions"): only what RCPS asks is stored. */
export const QUESTION_KINDS = ['text', 'choice', 'multi-choice'] as const;
/** A free-text answer's limit, and how many questions and options one activity may have. */
export const ANSWER_MAX_LENGTH = 500;
export const MAX_QUESTIONS = 20;
export const MAX_OPTIONS = 30;
const option = z.strictObject({
  id,
  label: z.string().trim().min(1, notEmpty).max(75),
  label_en: z.string().trim().min(1, notEmpty).max(75).optional(),
});
// Options belong to choices only, and ids are unique: both checked in cross-check.ts, so they are
// told in the same run as the field problems of the question.
const question = z.strictObject({
  id,
  label: z.string().trim().min(1, notEmpty).max(200),
  label_en: z.string().trim().min(1, notEmpty).max(200).optional(),
  kind: z.enum(QUESTION_KINDS),
  required: z.boolean().default(false),
  options: z.array(option).max(MAX_OPTIONS).optional(),
});
export type QuestionEntry = z.infer<typeof question>;

const activity = z.strictObject({
    id,
    kind: z.enum(ACTIVITY_KINDS),
    title: z.string().min(1, notEmpty).max(300),
    description: z.string().max(5000).optional(),
    starts: localDateTime,
    ends: localDateTime,
    timezone: timezone.optional(),
    location: z.string().min(1).optional(),
    online: url.optional(),
    capacity: z.number().int().positive().optional(),
    rsvp_by: yamlDate.optional(),
    audience: z.union([z.literal('all'), z.array(id).min(1)], { error: key('audience') }),
    public: z.boolean().default(false),
    /** Asked with "accept" on every channel (diet, nights, transport, accessibility). */
    questions: z.array(question).max(MAX_QUESTIONS).default([]),
  });

export const scheduleFileSchema = z.strictObject({
  timezone: timezone.optional(),
  /** The RCPS Slack channel id that gets every new problem report (e.g. C0123456). */
  rcps_slack_channel: z.string().regex(/^[CG][A-Z0-9]+$/, key('slackChannel')).optional(),
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

import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface TeamTable {
  id: string;
  name: string;
  area: 'gmina' | 'powiat';
  timezone: string;
  slack_channel: string | null;
  teams_channel: ColumnType<string | null, string | null | undefined, string | null>;
  report_code: ColumnType<string | null, string | null | undefined, string | null>;
  source: string;
  removed_at: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface PersonTable {
  id: Generated<number>;
  email: string;
  name: string;
  institution: string | null;
  language: 'pl' | 'en';
  channels: Json<string[]>;
  staff_role: 'rcps' | 'admin' | null;
  source: string;
  removed_at: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface MembershipTable {
  team_id: string;
  person_id: number;
  role: 'member' | 'coordinator';
  removed_at: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** One stretch of a membership, [started_at, ended_at); ended_at null: still a member (src/participation/membership-periods.ts). */
export interface MembershipPeriodTable {
  id: Generated<number>;
  team_id: string;
  person_id: number;
  started_at: Date;
  ended_at: Date | null;
}

export interface MeetingSeriesTable {
  team_id: string;
  rrule: string;
  starts_local: string;
  duration: string;
  location: string;
  online_url: string | null;
  reminders: Json<string[]>;
  on_holiday: 'skip' | 'shift' | 'keep';
  checkin_at: ColumnType<string | null, string | null | undefined, string | null>;
  sequence: ColumnType<number, number | undefined, number>;
  updated_at: UpdatedAt;
}

export interface MeetingExceptionTable {
  team_id: string;
  occurrence_date: string;
  cancelled: boolean;
  moved_to_local: string | null;
  created_at: CreatedAt;
  /** Set when a coordinator made this exception in chat; an import keeps it until the file changes the occurrence. */
  chat_changed_at: Date | null;
  /** For a chat change: what the file said then (null: no exception in the file). */
  file_cancelled: boolean | null;
  file_moved_to_local: string | null;
  /** For a chat change made before migration 0017: what the file said is not known; the next import takes its word (migration 0019). */
  file_unknown: Generated<boolean>;
}

export interface ActivityTable {
  id: string;
  kind: 'workshop' | 'training' | 'coaching' | 'conference' | 'education' | 'consultation';
  title: string;
  description: string | null;
  starts_local: string;
  ends_local: string;
  timezone: string;
  starts_at: Date;
  ends_at: Date;
  location: string | null;
  online_url: string | null;
  capacity: number | null;
  rsvp_by: string | null;
  audience_all: boolean;
  public: boolean;
  sequence: ColumnType<number, number | undefined, number>;
  source: string;
  cancelled_at: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ActivityAudienceTable {
  activity_id: string;
  team_id: string;
}

export interface RsvpTable {
  activity_id: string;
  person_id: number;
  answer: 'accepted' | 'declined' | 'maybe' | 'waiting';
  answered_at: Date;
  /** Order of joining the waiting list (a sequence drawn under the activity's lock); null when not waiting. */
  list_order: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface FeedTokenTable {
  id: Generated<number>;
  person_id: number;
  token_hash: string;
  nonce: string;
  created_at: CreatedAt;
  revoked_at: Date | null;
}

/** What changed in the schedule that people must be told about (the reminders issue sends it). */
export interface ScheduleChangeTable {
  id: Generated<number>;
  kind:
    | 'meeting_cancelled'
    | 'meeting_moved'
    | 'meeting_restored'
    | 'series_changed'
    | 'member_removed'
    | 'member_role_changed'
    | 'team_removed'
    | 'activity_changed'
    | 'activity_cancelled';
  team_id: string | null;
  person_id: number | null;
  activity_id: string | null;
  occurrence_date: string | null;
  details: Json<Record<string, unknown>>;
  created_at: CreatedAt;
  notified_at: Date | null;
}

export interface ImportRunTable {
  id: Generated<number>;
  files: Json<string[]>;
  summary: Json<Record<string, number>>;
  created_at: CreatedAt;
}

/** A single row whose version rises on every schedule change; feed caches compare it. */
export interface DataVersionTable {
  id: number;
  version: number;
}

/** A single row whose version rises on every change invitations are planned from (migration 0037). */
export interface InvitationInputsTable {
  id: number;
  version: number;
}

export interface PersonChannelTable {
  person_id: number;
  channel: 'slack' | 'teams' | 'email' | 'console';
  external_id: string;
  /** What the adapter needs to send: a Slack user id, a serialised Teams conversation reference. */
  address: string;
  linked_at: CreatedAt;
}

/** How the bot reaches a place that is not a person (a Teams channel or team), learned from the platform. */
export interface PlaceChannelTable {
  channel: 'slack' | 'teams' | 'email' | 'console';
  /** The platform's id of the place, as a schedule file names it (Teams: 19:…@thread.tacv2). */
  external_id: string;
  /** What the channel's sender needs (Teams: a conversation reference with serviceUrl and tenant). */
  address: string;
  linked_at: UpdatedAt;
}

export interface ProcessedEventTable {
  key: string;
  created_at: CreatedAt;
}

/** `sending` was a claim before migration 0028, which forbids it now (a row being sent stays `pending`). */
export type DeliveryState = 'pending' | 'sent' | 'failed' | 'expired' | 'cancelled';

export interface DeliveryTable {
  id: Generated<number>;
  dedupe_key: string;
  kind: string;
  person_id: number | null;
  team_id: string | null;
  channels: Json<string[]>;
  channel_index: ColumnType<number, number | undefined, number>;
  payload: Json<unknown>;
  due_at: Date;
  expires_at: Date | null;
  state: ColumnType<DeliveryState, DeliveryState | undefined, DeliveryState>;
  next_attempt_at: Date;
  /** The earliest a row may leave before next_attempt_at (reminders only, sent ahead of a lump); null: not before it. */
  earliest_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  sent_channel: string | null;
  provider_id: string | null;
  claimed_by: string | null;
  claimed_at: Date | null;
  sent_at: Date | null;
  /** A delivery to a place (a team's or RCPS's channel): its address on channels[0]; person_id is null. */
  place_address: ColumnType<string | null, string | null | undefined, string | null>;
  place_language: ColumnType<string | null, string | null | undefined, string | null>;
  /** When a dead letter to a place was put back in the outbox after the bot learned the place (once). */
  requeued_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface PreferencesTable {
  person_id: number;
  muted_kinds: Json<string[]>;
  muted_channels: Json<string[]>;
  quiet_from: ColumnType<number, number | undefined, number>;
  quiet_to: ColumnType<number, number | undefined, number>;
  updated_at: UpdatedAt;
}

/** Who was invited to an activity, the SEQUENCE they last got, a seat offered from the waiting list. */
export interface InvitationTable {
  activity_id: string;
  person_id: number;
  sequence: number;
  invited_at: Date;
  offer_expires_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The deadline of a seat offer that lapsed unanswered: the person left the waiting list (their answer is kept). */
  offer_lapsed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  deadline_reminded_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** An announcement between preview and confirmation, then as sent. */
export interface AnnouncementTable {
  id: Generated<number>;
  author_id: number;
  text: string;
  team_ids: Json<string[]>;
  state: 'draft' | 'sent' | 'cancelled';
  created_at: Date;
  sent_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** People erased at their request: only the SHA-256 of their e-mail (src/privacy/erasures.ts). */
export interface ErasureTable {
  email_hash: string;
  person_id: number;
  erased_at: UpdatedAt;
}

export interface StatusUpdateTable {
  id: Generated<number>;
  person_id: number | null;
  team_id: string;
  done: string;
  next_steps: string | null;
  people_count: number | null;
  blockers: string | null;
  submission_key: string;
  created_at: Date;
}

export type ReportCategory = 'organisational' | 'legal' | 'financial' | 'data_reporting' | 'audit' | 'other';
export type ReportState = 'new' | 'acknowledged' | 'resolved';

export interface ProblemReportTable {
  id: Generated<number>;
  code: string;
  team_id: string;
  year: number;
  number: number;
  reporter_id: number | null;
  category: ReportCategory;
  urgency: 'normal' | 'urgent';
  description: string;
  link: string | null;
  state: ColumnType<ReportState, ReportState | undefined, ReportState>;
  submission_key: string;
  created_at: Date;
  updated_at: Date;
}

export interface ReportEventTable {
  id: Generated<number>;
  report_id: number;
  person_id: number | null;
  action: 'created' | 'acknowledged' | 'commented' | 'resolved';
  comment: string | null;
  created_at: Date;
}

/** A running dispatcher's heartbeat (src/delivery/live-replicas.ts). */
export interface DispatcherTable {
  worker_id: string;
  seen_at: Date;
  /** Its own REPLICA_TIMEOUT_SECONDS, by which the others judge it; null from code before migration 0021. */
  timeout_ms: number | null;
  /** The backend pid of its claim session (PostgreSQL); null without one or from code before migration 0033. */
  session_pid: number | null;
}

/** How far a team's reminders, check-ins or summaries are planned, and from what data (src/reminders/reminder-plans.ts). */
export interface PlanningMarkTable {
  team_id: string;
  /** What is planned: 'reminders', 'checkins' or 'summaries' (PlanKind). */
  kind: string;
  planned_until: Date;
  data_stamp: string;
}

export interface ServiceSettingTable {
  key: string;
  value: string;
}

/** A personal link (/me/{token}) or a confirmation sent to the person (src/me/personal-links.ts). */
export interface PersonalLinkTable {
  id: Generated<number>;
  person_id: number;
  purpose: 'me' | 'confirm_erase' | 'confirm_feed';
  /** SHA-256 (hex) of the token; the token itself is never stored. */
  token_hash: string;
  /** The token is HMAC(APP_SECRET, nonce): shown again to its owner, unknown to the database alone. */
  nonce: string;
  created_at: CreatedAt;
  expires_at: Date;
  revoked_at: Date | null;
  used_at: Date | null;
}

/** A member's own answer for one meeting occurrence (migration 0022; docs/participation.md). */
export interface MeetingAnswerTable {
  team_id: string;
  /** The occurrence's key in the series (its original date), as meeting_exceptions and check-ins name it. */
  occurrence_date: string;
  person_id: number;
  answer: 'attending' | 'not_attending';
  reason: string | null;
  /** Someone of the same institution who comes instead: gets that occurrence's reminders and feed entry. */
  substitute_person_id: number | null;
  substitute_email: string | null;
  /** Set when the answer was given by the person's absence period, not by a message of theirs. */
  absence_id: number | null;
  /** How it was given: chat | link | absence | email (a plain reply) | calendar (an iTIP REPLY). */
  source: string;
  answered_at: Date;
}

/** "Urlop od … do …": local dates, both included. */
export interface AbsencePeriodTable {
  id: Generated<number>;
  person_id: number;
  starts_on: string;
  ends_on: string;
  created_at: CreatedAt;
  removed_at: Date | null;
}

/** Presence after the fact: a meeting occurrence (ref_id = team, day = occurrence key) or one day of an activity. */
export interface AttendanceTable {
  kind: 'meeting' | 'activity';
  ref_id: string;
  day: string;
  person_id: number;
  present: boolean;
  /** checkin (the coordinator's confirmation) | self (a code at the venue) | staff (RCPS on the activity's page). */
  method: string;
  marked_by: number | null;
  marked_at: Date;
}

/** Every change of presence: who, how, when (audit). */
export interface AttendanceChangeTable {
  id: Generated<number>;
  kind: 'meeting' | 'activity';
  ref_id: string;
  day: string;
  person_id: number;
  present: boolean;
  method: string;
  changed_by: number | null;
  changed_at: Date;
}

/** One self check-in code per activity day (migration 0027; src/participation/self-checkin.ts). */
export interface CheckinCodeTable {
  activity_id: string;
  day: string;
  code: string;
  created_at: CreatedAt;
}

/** A wrong self check-in code typed by a person: counted to limit guessing. */
export interface CheckinFailureTable {
  id: Generated<number>;
  person_id: number;
  failed_at: Date;
}

/** Every inbound mail, once by its Message-ID (src/inbound/receive-mail.ts; docs/inbound-mail.md). */
export interface InboundMailTable {
  id: Generated<number>;
  /** The Message-ID, or `sha256:<hex>` of the raw mail when it has none. */
  message_key: string;
  transport: 'imap' | 'smtp';
  /** itip_reply | itip_counter | plain_reply | report_reply | auto_reply | bounce | unverified | not_understood … */
  classified_as: string;
  person_id: number | null;
  /** The delivery whose signed address the mail came to (bigint: PostgreSQL may give it back as text). */
  delivery_id: ColumnType<number | string | null, number | null | undefined, number | null>;
  /** What was done, for logs and `dostarczenia` (recorded:…, forwarded:…, ignored:…). */
  outcome: string;
  received_at: Date;
}

/** An e-mail address that bounced for good (5.x.x): skipped for 30 days after its last bounce (src/inbound/bounces.ts). */
export interface MailBounceTable {
  person_id: number;
  /** Lower-case. */
  address: string;
  /** The DSN's Status, e.g. 5.1.1. */
  status: string;
  diagnostic: string | null;
  delivery_id: number | null;
  bounces: ColumnType<number, number | undefined, number>;
  first_bounce_at: Date;
  last_bounce_at: Date;
  created_at: CreatedAt;
}

/** A zaświadczenie o udziale as issued (migration 0024): its number and what it certifies. */
export interface CertificateTable {
  id: Generated<number>;
  /** ZU/<year>/<id, six digits>: printed on the PDF and shown by the verification page. */
  number: string;
  person_id: number;
  activity_id: string;
  /** JSON array of the local dates the person was present, as of the last issue. */
  days: string;
  /** Minutes of the activity on those days (docs/participation.md says how a day's hours are counted). */
  minutes: number;
  issued_at: Date;
  updated_at: UpdatedAt;
}

/** A registration question of an activity (migration 0023); `options` is JSON: [{ id, label, label_en? }]. */
export interface ActivityQuestionTable {
  activity_id: string;
  question_id: string;
  position: number;
  kind: 'text' | 'choice' | 'multi-choice';
  label: string;
  label_en: string | null;
  required: boolean;
  options: ColumnType<string, string | undefined, string>;
}

/** A person's answer to one registration question; multi-choice: option ids joined by ",". */
export interface RegistrationAnswerTable {
  activity_id: string;
  question_id: string;
  person_id: number;
  value: string;
  answered_at: Date;
}

export interface Database {
  checkin_codes: CheckinCodeTable;
  checkin_failures: CheckinFailureTable;
  inbound_mails: InboundMailTable;
  mail_bounces: MailBounceTable;
  certificates: CertificateTable;
  activity_questions: ActivityQuestionTable;
  registration_answers: RegistrationAnswerTable;
  meeting_answers: MeetingAnswerTable;
  absence_periods: AbsencePeriodTable;
  attendance: AttendanceTable;
  attendance_changes: AttendanceChangeTable;
  personal_links: PersonalLinkTable;
  invitations: InvitationTable;
  announcements: AnnouncementTable;
  erasures: ErasureTable;
  status_updates: StatusUpdateTable;
  problem_reports: ProblemReportTable;
  report_events: ReportEventTable;
  service_settings: ServiceSettingTable;
  dispatchers: DispatcherTable;
  planning_marks: PlanningMarkTable;
  preferences: PreferencesTable;
  deliveries: DeliveryTable;
  person_channels: PersonChannelTable;
  place_channels: PlaceChannelTable;
  processed_events: ProcessedEventTable;
  teams: TeamTable;
  people: PersonTable;
  memberships: MembershipTable;
  membership_periods: MembershipPeriodTable;
  meeting_series: MeetingSeriesTable;
  meeting_exceptions: MeetingExceptionTable;
  activities: ActivityTable;
  activity_audience: ActivityAudienceTable;
  rsvps: RsvpTable;
  feed_tokens: FeedTokenTable;
  schedule_changes: ScheduleChangeTable;
  import_runs: ImportRunTable;
  data_version: DataVersionTable;
  invitation_inputs: InvitationInputsTable;
}

export type TeamRow = Selectable<TeamTable>;
export type PersonRow = Selectable<PersonTable>;
export type MeetingSeriesRow = Selectable<MeetingSeriesTable>;
export type MeetingExceptionRow = Selectable<MeetingExceptionTable>;
export type ActivityRow = Selectable<ActivityTable>;
export type NewActivity = Insertable<ActivityTable>;
export type DeliveryRow = Selectable<DeliveryTable>;
export type ProblemReportRow = Selectable<ProblemReportTable>;
export type StatusUpdateRow = Selectable<StatusUpdateTable>;
export type ActivityQuestionRow = Selectable<ActivityQuestionTable>;

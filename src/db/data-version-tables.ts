/**
 * Tables whose changes no feed, page or kept answer shows, so they do not raise data_version
 * (every other table does, by the triggers of migration 0018). A new table must be either given
 * those triggers by its migration or listed here with the reason; a test enforces it.
 */
export const NOT_SHOWN: Readonly<Record<string, string>> = {
  deliveries: 'the outbox: written for every message sent; shown only by `dostarczenia`, which is never kept',
  dispatchers: 'heartbeats of running dispatchers',
  planning_marks: 'how far reminders, check-ins and summaries are planned: planning marks, shown nowhere',
  processed_events: 'keys of platform events already handled',
  schedule_changes: 'a queue of notices to send; what changed is in the meeting and activity tables',
  import_runs: 'a log of imports',
  data_version: 'the version itself',
  invitation_inputs: 'a version of what invitations are planned from, read only by the 15-minute sweep',
  person_channels: 'how to reach a person on a platform, refreshed on their messages; people are found by e-mail, and erasure raises the version through people',
  place_channels: 'how to reach a Teams channel; only deliveries use it',
  personal_links: 'credentials checked on every request and never kept in a cache',
  attendance: 'presence after the fact: shown by `obecność`, the lists of attendance and the personal page, all built per request; no feed or kept answer shows it',
  attendance_changes: 'the audit trail of presence, shown only on pages built per request',
  checkin_codes: 'self check-in codes of activity days, shown only on the staff poster page, built per request',
  checkin_failures: 'wrong self check-in codes typed, counted to limit guessing; shown nowhere',
  inbound_mails: 'a log of inbound mails by Message-ID (what each was taken for): shown by no feed or page; the answers it records raise the version through their own tables',
  mail_bounces: 'e-mail addresses that bounce: read by the dispatcher and shown only by `dostarczenia`, built per request',
  certificates: 'zaświadczenia as issued: shown only by the verification page and the download link, both built per request',
  membership_periods: 'membership history, written only together with memberships, whose changes raise the version',
  kysely_migration: 'the migrations applied',
  kysely_migration_lock: 'the migrations lock',
};

import type { Insertable, Transaction } from 'kysely';
import type { Database, ScheduleChangeTable } from '../db/tables.js';
import type { DesiredSchedule } from './import-plan.js';
import type { KeptChatChange } from './meeting-exceptions.js';
import type { ScheduleProblem } from './load-schedule.js';
import type { ScheduleProblemTexts } from '../i18n/schedule-problem-messages.js';

export interface Counts {
  added: number;
  updated: number;
  removed: number;
}

export interface ImportSummary {
  teams: Counts;
  meetings: Counts;
  people: Counts;
  memberships: Counts;
  activities: Counts;
  /** Registration questions of the activities (docs/participation.md). */
  questions: Counts;
  /** Answers deleted with the questions the files no longer list. */
  registrationAnswersRemoved: number;
  /** False when the files matched what was stored: nothing was written. */
  changed: boolean;
  /** Meetings changed in chat that the import left as they are (the file did not change them). */
  keptChatChanges: KeptChatChange[];
}

export interface ImportContext {
  trx: Transaction<Database>;
  now: Date;
  desired: DesiredSchedule;
  summary: ImportSummary;
  changes: Insertable<ScheduleChangeTable>[];
  /** Problems found against the database, all of them before the import gives up. */
  problems: ScheduleProblem[];
  /** Their words, in the operator's language. */
  t: ScheduleProblemTexts;
}

export const emptyCounts = (): Counts => ({ added: 0, updated: 0, removed: 0 });

import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database, PersonRow } from '../../db/tables.js';
import type { Logger } from '../../log.js';
import type { Message } from '../../ports/channel.port.js';
import type { Answered } from '../../invitations/plan-activity-reminders.js';

/** What every command handler gets: who asked, what they typed after the command word, and the service. */
export interface CommandContext {
  db: Kysely<Database>;
  clock: Clock;
  publicUrl: string;
  appSecret: string;
  log: Logger;
  person: PersonRow;
  text: string;
  /**
   * A change feeds or the outbox must see now (a new token, a moved meeting). With `answered`,
   * the change is only that person's answer to that invitation: what it calls for is planned for
   * that pair alone (DeliveryService.answered), not in a whole planning.
   */
  changed: (answered?: Answered) => void;
  /**
   * Said by a read-only command: asked again by the same person, this answer holds until
   * `until` unless the data changes meanwhile (src/bot/repeat-answers.ts).
   */
  holdsUntil?: (until: Date) => void;
}

export type CommandHandler = (ctx: CommandContext) => Promise<Message>;

/** A button press: `actionId` is "<area>:<verb>" (e.g. "report:ack"), `value` what the button carried. */
export type ActionHandler = (ctx: CommandContext, action: { actionId: string; value: string }) => Promise<Message>;

/** A submitted form (Slack modal, Adaptive Card, web form) by its form id; `formId` is the whole id, for forms whose id names what they are about ("registration:<activity>", "meeting-substitute|team|date"). */
export type FormHandler = (ctx: CommandContext, values: Record<string, string>, formId: string) => Promise<Message>;

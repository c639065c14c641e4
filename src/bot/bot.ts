import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database, PersonRow } from '../db/tables.js';
import { bilingualApology, bilingualStranger, botMessages } from '../i18n/bot-messages.js';
import { workshopViewMessages } from '../i18n/invitation-messages.js';
import type { Language } from '../i18n/messages.js';
import type { Logger } from '../log.js';
import type { BotPort, Incoming, Message, PlaceLink, Sender } from '../ports/channel.port.js';
import { linkPlace, requeueUnlinked } from '../delivery/places.js';
import { personalCalendar } from './commands/calendar.js';
import type { ActionHandler, CommandContext, CommandHandler, FormHandler } from './commands/context.js';
import { listMeetings, meetingsCommand } from './commands/meetings.js';
import { myData, myDataAction } from './commands/my-data.js';
import { settingsCommand } from './commands/settings.js';
import { deliveriesCommand } from './commands/deliveries.js';
import { rsvpAction } from './commands/rsvp-action.js';
import { openInvitationItems, workshopsCommand } from './commands/workshops.js';
import { createActivity } from './commands/activity-admin.js';
import { certificateCommand } from './commands/certificate.js';
import { registrationFormHandler } from './commands/registration.js';
import { REGISTRATION_FORM } from '../registration/registration-form.js';
import { announceAction, announceCommand } from '../announcements/announce.js';
import { firstTime, once, seenBefore } from './first-time.js';
import { listReportsCommand, problemCommand, problemFormHandler, reportAction, reportCommand, statusCommand, statusFormHandler } from '../reports/report-commands.js';
import { checkinAction } from '../reports/checkins.js';
import { presenceAction, presenceFormHandler } from '../participation/presence-checkin.js';
import { hereCommand } from '../participation/here-command.js';
import { contactForStrangers } from './identity.js';
import { knownPeople } from './known-people.js';
import { RepeatAnswers, repeatKey } from './repeat-answers.js';
import { currentDataVersion, dataVersionWatch } from '../db/data-version-watch.js';
import { parseCommand, type CommandName } from './parse-command.js';
import { attendingCommand, meetingAnswerAction, notAttendingCommand, substituteCommand, substituteFormHandler, SUBSTITUTE_FORM } from '../participation/answer-commands.js';
import { attendanceCommand } from '../participation/attendance-command.js';
import type { Answered } from '../invitations/plan-activity-reminders.js';

export interface BotOptions {
  db: Kysely<Database>;
  clock: Clock;
  publicUrl: string;
  appSecret: string;
  log: Logger;
  /** Called after a change that feeds or the outbox must see now. */
  onDataChanged?: () => void;
  /** Called instead, once per pair, when the only changes were answers to invitations (onDataChanged when absent). */
  onAnswered?: (answered: Answered) => void;
}

const handlers: Partial<Record<CommandName, CommandHandler>> = {
  pomoc: async ({ person }) => help(person.language),
  spotkania: meetingsCommand,
  kalendarz: personalCalendar,
  'moje-dane': myData,
  ustawienia: settingsCommand,
  dostarczenia: deliveriesCommand,
  status: statusCommand,
  problem: problemCommand,
  zgloszenia: listReportsCommand,
  zgloszenie: reportCommand,
  ogloszenie: announceCommand,
  warsztaty: workshopsCommand,
  jestem: hereCommand,
  zaswiadczenie: certificateCommand,
  bede: attendingCommand,
  'nie-bede': notAttendingCommand,
  zastepstwo: substituteCommand,
  obecnosc: attendanceCommand,
};

/** Buttons by the area before the colon of their action id ("report:ack" → report). */
const actionHandlers: Record<string, ActionHandler> = {
  'my-data': myDataAction,
  report: reportAction,
  checkin: checkinAction,
  presence: presenceAction,
  rsvp: rsvpAction,
  announce: announceAction,
  meeting: meetingAnswerAction,
};

/** Forms by their id. */
const formHandlers: Record<string, FormHandler> = {
  status: statusFormHandler,
  problem: problemFormHandler,
  'activity-new': createActivity,
  presence: presenceFormHandler,
  [REGISTRATION_FORM]: registrationFormHandler,
  [SUBSTITUTE_FORM]: substituteFormHandler,
};

function help(language: Language): Message {
  return { language, title: botMessages[language].helpTitle, text: botMessages[language].helpText };
}

/**
 * The platform-neutral bot: what a person asked for → the answer, as a Message. Adapters
 * call it with what their platform delivered and render the answer.
 */
export class Bot implements BotPort {
  private readonly repeats = new RepeatAnswers();

  constructor(private readonly options: BotOptions) {}

  /** The same person's same read-only command again, while its answer holds: no promise, no query. */
  answerAgain(incoming: Incoming): Message | undefined {
    if (incoming.type !== 'command' || !incoming.from.externalId) return undefined;
    const { db, clock } = this.options;
    const key = repeatKey(incoming.from.channel, incoming.from.externalId, incoming.command, incoming.text);
    return this.repeats.get(key, dataVersionWatch(db).settled(), clock.now().getTime());
  }

  async handle(incoming: Incoming): Promise<Message> {
    return this.safely(incoming, async () => {
      const { db } = this.options;
      // Read before anything else: an answer kept under it is never newer than the data it shows.
      const version = await currentDataVersion(db);
      return this.respond(db, incoming, version, await knownPeople(db).person(incoming.from), (answered) => this.tell(answered ? [answered] : undefined));
    });
  }

  /**
   * handle() for a platform event that may be delivered again (a button, a form, a Teams
   * activity): the key is taken in the transaction of the change it causes, so a failure leaves
   * it free for the retry. undefined: this event was handled before (the answer went out then).
   */
  async handleOnce(key: string, incoming: Incoming): Promise<Message | undefined> {
    return this.safely(incoming, async () => {
      const { db } = this.options;
      const version = await currentDataVersion(db);
      // Looked up before the transaction: the cache of known people reads through the database itself.
      const person = await knownPeople(db).person(incoming.from);
      let changed = false;
      const answers: Answered[] = [];
      const answer = await once(db, key, (trx) => this.respond(trx, incoming, version, person, (answered) => (answered ? answers.push(answered) : (changed = true))));
      // After the commit: feeds and the outbox read what the transaction stored.
      if (changed) this.tell(undefined);
      else if (answers.length > 0) this.tell(answers);
      return answer;
    });
  }

  /** Seen before: an event whose handling that changes nothing (a home published) succeeded. */
  seenBefore(key: string): Promise<boolean> {
    return seenBefore(this.options.db, key);
  }

  private async safely<T>(incoming: Incoming, work: () => Promise<T>): Promise<T | Message> {
    try {
      return await work();
    } catch (error) {
      const id = Math.random().toString(36).slice(2, 10);
      this.options.log.error({ err: error, errorId: id, channel: incoming.from.channel }, 'bot failed');
      return bilingualApology(id);
    }
  }

  /** A change told: answers alone (each pair planned on its own) or anything else (a whole planning). */
  private tell(answers: Answered[] | undefined): void {
    const { onAnswered, onDataChanged } = this.options;
    if (answers && onAnswered) for (const answered of answers) onAnswered(answered);
    else onDataChanged?.();
  }

  /** The answer; throws on failure, so that a transaction around it rolls back. */
  private async respond(db: Kysely<Database>, incoming: Incoming, version: number, person: PersonRow | undefined, changed: CommandContext['changed']): Promise<Message> {
    if (!person) {
      return bilingualStranger(await contactForStrangers(db));
    }
    const context = (text: string): CommandContext => ({ ...this.context(person, text), db, changed });
    if (incoming.type === 'hello') return help(person.language);
    if (incoming.type === 'action') {
      const handler = actionHandlers[incoming.actionId.split(':', 1)[0]!];
      return handler ? await handler(context(''), incoming) : this.notYet(person.language);
    }
    if (incoming.type === 'form') {
      // A form whose id names what it is about ("registration:<activity>", "meeting-substitute|team|date") is found by its first part.
      const own = (id: string) => (Object.hasOwn(formHandlers, id) ? formHandlers[id] : undefined);
      const handler = own(incoming.formId) ?? own(incoming.formId.split(/[:|]/, 1)[0]!);
      return handler ? await handler(context(''), incoming.values, incoming.formId) : this.notYet(person.language);
    }
    const parsed = parseCommand(`${incoming.command} ${incoming.text}`);
    const handler = parsed.command && handlers[parsed.command];
    if (!parsed.command) {
      const t = botMessages[person.language];
      return { language: person.language, title: t.unknownCommandTitle, text: t.unknownCommand(parsed.word) };
    }
    if (!handler) return this.notYet(person.language);
    let holdsUntil: Date | undefined;
    const answer = await handler({ ...context(parsed.text), holdsUntil: (until) => (holdsUntil = until) });
    if (holdsUntil && incoming.from.externalId) {
      const key = repeatKey(incoming.from.channel, incoming.from.externalId, incoming.command, incoming.text);
      this.repeats.keep(key, answer, version, this.options.clock.now().getTime(), holdsUntil.getTime());
    }
    return answer;
  }

  /**
   * A home screen in one message: the next meetings, then my open invitations under a heading
   * of their own (with my answer and the answer buttons), and the personal feed link.
   */
  async home(from: Sender): Promise<Message> {
    const person = await knownPeople(this.options.db).person(from);
    if (!person) return this.handle({ type: 'hello', from });
    const ctx = this.context(person, '');
    const meetings = await listMeetings(ctx);
    const invitations = await openInvitationItems(ctx);
    const calendar = await personalCalendar(ctx);
    const t = workshopViewMessages[person.language];
    const heading = invitations.length ? [{ title: t.title, lines: [t.summary] }] : [];
    return { ...meetings, items: [...(meetings.items ?? []), ...heading, ...invitations], links: calendar.links };
  }

  firstTime(key: string): Promise<boolean> {
    return firstTime(this.options.db, key);
  }

  /** A place learned anew also gets the messages that failed only for not knowing it, put back in the outbox. */
  async linkPlace(place: PlaceLink): Promise<void> {
    const { db, clock, log } = this.options;
    // One transaction: a place stored without its dead letters put back would, once known, never put them back.
    const requeued = await db.transaction().execute(async (trx) => ((await linkPlace(trx, place)) ? requeueUnlinked(trx, place, clock.now()) : 0));
    if (requeued === 0) return;
    log.info({ channel: place.channel, place: place.externalId, requeued }, 'place learned: its undelivered messages are sent again');
    this.options.onDataChanged?.();
  }

  private context(person: PersonRow, text: string): CommandContext {
    const { db, clock, publicUrl, appSecret, log } = this.options;
    return { db, clock, publicUrl, appSecret, log, person, text, changed: (answered) => this.tell(answered ? [answered] : undefined) };
  }

  private notYet(language: Language): Message {
    return { language, title: botMessages[language].notYetTitle, text: botMessages[language].notYet };
  }
}

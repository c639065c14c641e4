import type { Language } from '../i18n/messages.js';

/**
 * The one port between the core and every chat or mail platform. The core speaks in these
 * platform-neutral messages; each adapter renders them (Block Kit, Adaptive Cards, HTML and
 * plain text, the terminal) and turns what people do back into `Incoming`.
 */
export type ChannelKind = 'slack' | 'teams' | 'email' | 'console';

export interface Action {
  /** What the core gets back when the button is pressed. */
  id: string;
  value: string;
  label: string;
  style?: 'primary' | 'danger';
}

export interface LinkAction {
  label: string;
  url: string;
}

export interface FormField {
  id: string;
  label: string;
  /** `multiselect`: any number of options; the value sent back is their values joined by ",". */
  kind: 'text' | 'textarea' | 'number' | 'select' | 'multiselect';
  required: boolean;
  maxLength?: number;
  options?: { value: string; label: string }[];
  /** What the field holds when the form opens (an answer given before); multiselect: values joined by ",". */
  value?: string;
  /**
   * multiselect shown as checkboxes (every option in view: a presence list) rather than a
   * drop-down: Slack checkboxes split by ten, a Teams expanded choice set, the terminal's numbers.
   */
  checkboxes?: boolean;
}

export interface Form {
  id: string;
  title: string;
  submitLabel: string;
  fields: FormField[];
  /** The message's text again, for a platform that shows the form alone (a Slack modal): there it is all the person reads. */
  intro?: string;
}

export interface MessageItem {
  title: string;
  lines: string[];
  actions?: Action[];
  links?: LinkAction[];
}

export interface Message {
  language: Language;
  /** Also the e-mail subject and the notification text. */
  title: string;
  /** Light Markdown: **bold**, "- " lists and [text](url) links; adapters render or escape it. */
  text: string;
  fields?: { label: string; value: string }[];
  items?: MessageItem[];
  actions?: Action[];
  links?: LinkAction[];
  /**
   * The page on the web that shows this message's content whole (a report's page): where a
   * platform must shorten the message, the shortened part links here.
   */
  fullView?: string;
  /** When set, the platform opens this form (Slack modal, Adaptive Card, web form link). */
  form?: Form;
  /**
   * A refused form submission, naming the field to fix: where the form can stay open with what
   * was typed (a Slack modal), the platform shows `text` under that field instead of this message.
   */
  formError?: { fieldId: string; text: string };
  /** An iTIP calendar (invitations): e-mail attaches it with a matching MIME method. */
  calendar?: { method: 'REQUEST' | 'CANCEL'; content: string };
  /** E-mail only: the person's preferences page, the visible link (and List-Unsubscribe when there is no unsubscribeUrl). */
  preferencesUrl?: string;
  /** E-mail only: RFC 8058 one-click unsubscribe (a POST to it mutes this kind of message); List-Unsubscribe. */
  unsubscribeUrl?: string;
  /**
   * E-mail only: the signed reply address of this delivery and person (src/inbound/reply-address.ts),
   * the mail's Reply-To and SMTP envelope sender (bounces come back to it). Letters, digits, `+`,
   * `.`, `-` and one `@` only; the adapter refuses anything else.
   */
  replyAddress?: string;
  /**
   * E-mail only: this message answers a mail someone wrote, automatically (a confirmation of a
   * reply): sent with RFC 3834 `Auto-Submitted: auto-replied`, so the writer's own responder
   * does not answer it in turn.
   */
  autoReply?: true;
  /** A chat message sent before (its provider id) that this one supersedes: updated in place where the platform allows, besides sending this one. */
  replaces?: string;
}

/** Who did something, as the platform knows them; the core matches people by e-mail. */
export interface Sender {
  channel: ChannelKind;
  /** The platform's own id for the person (Slack user id, Teams AAD object id); absent for e-mail. */
  externalId?: string;
  email?: string;
  /** How to reach this person later on this platform (ChannelSender.send's address). */
  address?: string;
}

export type Incoming =
  | { type: 'command'; from: Sender; command: string; text: string }
  | { type: 'action'; from: Sender; actionId: string; value: string }
  | { type: 'form'; from: Sender; formId: string; values: Record<string, string> }
  /** The person opened the bot or installed it (Teams conversationUpdate, Slack App Home). */
  | { type: 'hello'; from: Sender };

export type SendResult =
  | { ok: true; providerId?: string }
  | {
      ok: false;
      permanent: boolean;
      reason: string;
      retryAfterMs?: number;
      /**
       * The wait (`retryAfterMs`) concerns this address alone, not the platform (Teams' 412, a
       * concurrent operation on one conversation): the engine holds that address's sends for it,
       * not the platform's (dispatcher.ts `refused`).
       */
      addressOnly?: true;
      /**
       * The platform refused our own settings (a wrong SMTP password, a revoked Slack token, Teams
       * credentials), not this message: always temporary, so the message waits for the fix, and
       * the operators are told (src/delivery/settings-alarm.ts).
       */
      settings?: true;
      /**
       * The platform refused for pace, not for this message (HTTP 429, Slack `ratelimited`, SMTP
       * 421 or a 4xx naming a rate): the delivery engine lowers its pace for what was refused and
       * tries again after `retryAfterMs` (or a short wait), without using up an attempt for
       * the first 30 minutes past the delivery's due time (delivery/backoff.ts FREE_REFUSALS_MS).
       */
      rateLimited?: true;
      /**
       * With `rateLimited`: the platform's own word for the refusal, short and fixed (`429`,
       * `ratelimited`, `421`, `451`), the `code` label of kooperator_pace_refusals_total.
       */
      refusal?: string;
    };

/** One platform's way out. `address` is what the adapter stored when it linked the person. */
export interface ChannelSender {
  readonly kind: ChannelKind;
  /**
   * How many sends it can have under way at once (e-mail: its pool's SMTP connections); unset,
   * no limit. A paced send waits for one of them before it books its turn with the pacer: a
   * send that queued inside the sender after its turn would leave late, together with the
   * sends queued behind it, in a burst the platform refuses (dispatcher.ts `pacedSend`).
   */
  readonly concurrency?: number;
  /** `signal` aborts when the send took too long or the service is stopping; a client that honours it drops the request. */
  send(address: string, message: Message, options?: { signal?: AbortSignal }): Promise<SendResult>;
  /** Replaces a message sent before (Slack chat.update, Teams updateActivity); optional, where the platform allows. */
  update?(address: string, providerId: string, message: Message): Promise<SendResult>;
}

/** A place the platform showed the bot (a Teams channel or team) and how to post there later. */
export interface PlaceLink {
  channel: ChannelKind;
  /** The platform's id of the place, as a schedule file names it. */
  externalId: string;
  /** ChannelSender.send's address for it (Teams: a conversation reference with serviceUrl and tenant). */
  address: string;
}

/** What an adapter gets from the core. */
export interface BotPort {
  handle(incoming: Incoming): Promise<Message>;
  /**
   * The answer to a command this person sent before, when it still holds (read-only commands
   * such as `spotkania`): at once, without a promise, so a busy adapter can answer from memory;
   * undefined means ask handle().
   */
  answerAgain?(incoming: Incoming): Message | undefined;
  /** The next meetings, open invitations and feed link of a person, for a home screen (Slack App Home). */
  home(from: Sender): Promise<Message>;
  /**
   * handle() for a platform event that may come again (Slack trigger, Teams activity): the key is
   * taken in the transaction of the change the event causes, so a retry after a failure is
   * handled and a retry after success is not. undefined: handled before, nothing to answer.
   */
  handleOnce(key: string, incoming: Incoming): Promise<Message | undefined>;
  /** True when work that changes nothing stored was done for this key (recorded by firstTime after it succeeded). */
  seenBefore(key: string): Promise<boolean>;
  /** Records a key; true the first time. Only after work that changes nothing stored succeeded. */
  firstTime(key: string): Promise<boolean>;
  /**
   * Remembers how to post to a place the bot was seen in (Teams: its team's serviceUrl and tenant);
   * recent messages that failed only because the place was unknown are then sent once more.
   */
  linkPlace(place: PlaceLink): Promise<void>;
}

/** A path handed whole to a platform's own request handler (Bolt, Bot Framework). */
export interface Mount {
  path: string;
  name: string;
  handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;
}

/** One platform, plugged in by src/main.ts: what it serves, how it sends, its life cycle. */
export interface ChannelAdapter {
  readonly kind: ChannelKind;
  readonly sender: ChannelSender;
  readonly mounts: Mount[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db, DbKind } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { createLogger } from '../../src/log.js';
import type { ChannelKind, ChannelSender, Incoming, Message } from '../../src/ports/channel.port.js';
import { faultyDemoDatabase } from '../support/faults.js';
import type { DatabaseFaults } from '../support/faults.js';

export const PUBLIC_URL = 'https://koop.example.org';
export const SECRET = 'k'.repeat(40);

/** One message that reached a platform (the fake at the network edge records it). */
export interface Sent {
  channel: ChannelKind;
  address: string;
  title: string;
  text: string;
}

/** One row's outcome as the dispatcher recorded it. */
export interface Result {
  key: string;
  kind: string;
  personId: number | null;
  outcome: 'sent' | 'retried' | 'failed' | 'expired';
}

/**
 * The demo schedule on a database whose statements can be failed, the bot the adapters call,
 * and a dispatcher whose platforms record what they were given instead of sending it.
 */
export interface World {
  kind: DbKind;
  db: Db;
  faults: DatabaseFaults;
  clock: FixedClock;
  bot: Bot;
  sent: Sent[];
  /** What the dispatcher recorded for each row it handled, in order. */
  results: Result[];
  /** Sends everything due now, as the delivery loop would. */
  drain(): Promise<void>;
  say(email: string, command: string, text: string): Promise<Message>;
  press(email: string, actionId: string, value: string): Promise<Message>;
  personId(email: string): Promise<number>;
  /** Back to the demo as imported: what people did and the outbox emptied, the clock at the start, no fault rules. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

const recorder = (channel: ChannelKind, sent: Sent[]): ChannelSender => ({
  kind: channel,
  async send(address, message) {
    sent.push({ channel, address, title: message.title, text: message.text });
    return { ok: true, providerId: `${channel}-${sent.length}` };
  },
});

export async function openWorld(kind: DbKind, at = '2027-01-04T08:00:00Z'): Promise<World> {
  const clock = new FixedClock(at);
  const { db, faults } = await faultyDemoDatabase(kind, clock);
  const sent: Sent[] = [];
  const results: Result[] = [];
  const log = createLogger('silent');
  const senders = new Map<ChannelKind, ChannelSender>((['email', 'slack', 'teams'] as const).map((c) => [c, recorder(c, sent)]));
  const dispatcher = new Dispatcher({ db: db.db, senders, clock, log, workerId: 'w', random: () => 0.5,
    render: deliveryRenderer(db.db, PUBLIC_URL, SECRET),
    onResult: (row, outcome) => results.push({ key: row.dedupe_key, kind: row.kind, personId: row.person_id, outcome }),
  });
  const bot = new Bot({ db: db.db, clock, publicUrl: PUBLIC_URL, appSecret: SECRET, log });
  const from = (email: string) => ({ channel: 'console' as const, email });
  const handle = (incoming: Incoming) => bot.handle(incoming);
  return {
    kind,
    db,
    faults,
    clock,
    bot,
    sent,
    results,
    drain: async () => void (await dispatcher.drain()),
    say: (email, command, text) => handle({ type: 'command', from: from(email), command, text }),
    press: (email, actionId, value) => handle({ type: 'action', from: from(email), actionId, value }),
    personId: async (email) => (await db.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id,
    async reset() {
      for (const table of ['report_events', 'problem_reports', 'status_updates', 'announcements', 'deliveries', 'preferences', 'planning_marks', 'personal_links', 'meeting_answers', 'absence_periods'] as const) await db.db.deleteFrom(table).execute();
      sent.length = 0;
      results.length = 0;
      faults.clearRules();
      faults.clear();
      clock.set(at);
    },
    close: () => db.close(),
  };
}

/** How many messages with this title reached each address. */
export function countsByAddress(sent: Sent[], title: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of sent.filter((m) => m.title === title)) counts[s.address] = (counts[s.address] ?? 0) + 1;
  return counts;
}

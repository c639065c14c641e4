import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { everyone, importFixture } from '../invitations/support.js';
import { dialects } from '../support/databases.js';
import { faultyDatabase, type DatabaseFaults } from '../support/faults.js';
import { checkModel, modelRuns } from '../support/model-runs.js';
import { CLIENTS, itipMail, plainMail } from './mails.js';
import { addressOf, rsvpOf, sinkFor, smtpEnvelope, START, WORKSHOP, WORKSHOP_TITLE, WORKSHOP_UID } from './world.js';

const PEOPLE = everyone.slice(0, 5);
const ANSWERS = { ACCEPTED: 'accepted', DECLINED: 'declined', TENTATIVE: 'maybe', tak: 'accepted', 'nie będę': 'declined' } as const;
type Said = keyof typeof ANSWERS;

/** One step: a new mail (calendar or plain words), or a mail offered again; maybe with a write failed. */
const step = fc.record({
  person: fc.nat(PEOPLE.length - 1),
  said: fc.constantFrom<Said>('ACCEPTED', 'DECLINED', 'TENTATIVE', 'tak', 'nie będę'),
  client: fc.constantFrom(...CLIENTS),
  again: fc.option(fc.nat(20), { nil: undefined }),
  failWrite: fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }),
  imap: fc.boolean(),
});

describe.each(dialects)('every e-mail answer is recorded exactly once, across failures and redeliveries (model), on %s', (kind) => {
  let db: Db;
  let faults: DatabaseFaults;
  const clock = new FixedClock(START);
  const addresses = new Map<string, string>();
  beforeAll(async () => {
    ({ db, faults } = await faultyDatabase(kind));
    await importFixture(db.db, clock);
    await planInvitations(db.db, clock);
    for (const email of PEOPLE) addresses.set(email, await addressOf(db.db, email, `invite:${WORKSHOP}:`));
  });
  afterAll(async () => db?.close());

  it('should match the model: an answer counts when its mail was first recorded, a repeat is a duplicate, a failure leaves nothing', async () => {
    let run = 0;
    await checkModel(
      'inbound exactly once',
      fc.array(step, { minLength: 1, maxLength: 12 }),
      async (steps) => {
        run++;
        await db.db.deleteFrom('inbound_mails').execute();
        await db.db.deleteFrom('rsvps').execute();
        await db.db.deleteFrom('deliveries').where('dedupe_key', 'like', 'inbound:%').execute();
        const sink = sinkFor(db.db, clock);
        const offered: { raw: Buffer; email: string; said: Said }[] = [];
        const recorded = new Set<number>();
        const model = new Map<string, string>();
        for (const [i, s] of steps.entries()) {
          const repeat = s.again !== undefined && offered.length > 0 ? s.again % offered.length : undefined;
          const email = repeat !== undefined ? offered[repeat]!.email : PEOPLE[s.person]!;
          const said = repeat !== undefined ? offered[repeat]!.said : s.said;
          const messageId = `run${run}-step${i}@mail.example.org`;
          const raw =
            repeat !== undefined
              ? offered[repeat]!.raw
              : said === 'tak' || said === 'nie będę'
                ? plainMail({ from: email, to: addresses.get(email)!, body: said, messageId })
                : itipMail({ client: s.client, from: email, to: addresses.get(email)!, partstat: said, uid: WORKSHOP_UID, title: WORKSHOP_TITLE, messageId });
          const index = repeat ?? offered.push({ raw, email, said }) - 1;
          faults.clear();
          if (s.failWrite) faults.failNth(s.failWrite, { writesOnly: true });
          const outcome = await sink.receive(raw, s.imap ? { transport: 'imap', rcptTo: [] } : smtpEnvelope()).catch((error: Error) => error);
          faults.clearRules();
          const failed = faults.queries.some((q) => q.failed);
          if (failed) {
            expect(outcome).toBeInstanceOf(Error);
          } else if (recorded.has(index)) {
            expect(outcome).toEqual({ status: 'duplicate' });
          } else {
            expect(outcome).toMatchObject({ status: 'recorded', what: expect.stringMatching(/^rsvp:/) });
            recorded.add(index);
            model.set(email, ANSWERS[said]);
          }
        }
        for (const email of PEOPLE) expect(await rsvpOf(db.db, email), email).toBe(model.get(email));
        const confirmations = await db.db.selectFrom('deliveries').select('dedupe_key').where('dedupe_key', 'like', 'inbound:%:confirm').execute();
        expect(confirmations).toHaveLength(recorded.size);
        expect(Number((await db.db.selectFrom('inbound_mails').select(db.db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(recorded.size);
      },
      modelRuns(40),
    );
  });
});

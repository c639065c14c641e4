import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../../adapters/db/connect.js';
import { FixedClock } from '../../../src/clock.js';
import { dialects } from '../../support/databases.js';
import { importYaml } from '../../support/schedule-builder.js';
import { slackUsers, startSlackHarness, type SlackHarness } from './slack-harness.js';

const { anna, joanna, stranger } = slackUsers;
const clock = new FixedClock('2027-01-04T08:00:00Z');
const demo = readFileSync('calendars/demo.yaml', 'utf8');
const joannaInDemo = /      - name: Joanna Mazur\n(?: {8}.*\n)+/;
const joannaSpeaks = (language: 'pl' | 'en') => demo.replace(joannaInDemo, (entry) => entry.replace('language: en', `language: ${language}`));
const withoutJoanna = () => demo.replace(joannaInDemo, '');
const withStranger = () =>
  demo.replace(joannaInDemo, (entry) => `${entry}      - name: Nowa Osoba\n        email: ${stranger.email}\n        channels: [slack, email]\n`);

/** Imports a version of the demo file, under its own name so that what it no longer lists is removed. */
const importDemo = (db: SlackHarness['db']['db'], text: string) => importYaml(db, clock, { 'demo.yaml': text });

const answer = async (h: SlackHarness, user: string, text: string) => {
  const response = await h.slack.command(user, text);
  expect(response.status).toBe(200);
  return JSON.stringify(await response.json());
};

describe.each(dialects)('Slack commands from people kept in memory, on %s', (kind) => {
  let h: SlackHarness;

  // A short ack budget: a command that waits for the database answers with an empty ack.
  beforeAll(async () => {
    h = await startSlackHarness(kind, { adapter: { ackBudgetMs: 1500 } });
  });
  afterAll(async () => h?.close());

  it('should answer a member seen before while the database is locked, so without asking it anything', async () => {
    expect(await answer(h, joanna.id, 'meetings')).toContain('Next meetings');
    let release!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holding = h.db.db.transaction().execute(async (trx) => {
      await sql`lock table people, person_channels, memberships, teams, meeting_series, data_version in access exclusive mode`.execute(trx);
      locked();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await isLocked;
    try {
      const body = await answer(h, joanna.id, 'meetings');
      expect(body).toContain('Next meetings');
      expect(body).toContain('PZK Łódź');
    } finally {
      release();
      await holding;
    }
  });

  it('should answer in the language an import just gave the person', async () => {
    expect(await answer(h, joanna.id, 'help')).toContain('What Kooperator can do');
    await importDemo(h.db.db, joannaSpeaks('pl'));
    expect(await answer(h, joanna.id, 'help')).toContain('Co potrafi Kooperator');
    await importDemo(h.db.db, joannaSpeaks('en'));
    expect(await answer(h, joanna.id, 'help')).toContain('What Kooperator can do');
  });

  it('should treat a member an import just removed as a stranger, and know one it just added', async () => {
    expect(await answer(h, joanna.id, 'spotkania')).toContain('Next meetings');
    expect(await answer(h, stranger.id, 'spotkania')).toContain('Nie znajdujemy Pani/Pana');
    await importDemo(h.db.db, withoutJoanna());
    expect(await answer(h, joanna.id, 'spotkania')).toContain('Nie znajdujemy Pani/Pana');
    await importDemo(h.db.db, withStranger());
    const body = await answer(h, stranger.id, 'spotkania');
    expect(body).toContain('Najbliższe spotkania');
    expect(body).toContain('wtorek, 12 stycznia 2027, 10:00');
  });

  it('should list a meeting an import just moved at its new time, though the same list was answered before', async () => {
    await importDemo(h.db.db, demo);
    expect(await answer(h, anna.id, 'spotkania')).toContain('wtorek, 12 stycznia 2027, 10:00');
    await importDemo(h.db.db, demo.replace('      except:\n', '      except:\n        - date: 2027-01-12\n          moved_to: 2027-01-13T12:00\n'));
    const body = await answer(h, anna.id, 'spotkania');
    expect(body).toContain('środa, 13 stycznia 2027, 12:00');
    expect(body).not.toContain('wtorek, 12 stycznia 2027, 10:00');
    await importDemo(h.db.db, demo);
  });

  /** An import by another process on the same schema (another replica, or the command line). */
  const importElsewhere = async (text: string) => {
    const { schema } = (await sql<{ schema: string }>`select current_schema() as schema`.execute(h.db.db)).rows[0]!;
    const other = await connect({ databaseUrl: process.env.TEST_DATABASE_URL!, schema, poolSize: 1 });
    try {
      await importDemo(other.db, text);
    } finally {
      await other.close();
    }
  };
  /** Asked again until the notification is in (it takes about a millisecond); never longer than 2 s. */
  const answerOnceNotified = async (user: string, text: string, expected: string) => {
    let body = '';
    for (let i = 0; i < 80 && !body.includes(expected); i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 25));
      body = await answer(h, user, text);
    }
    return body;
  };

  it.runIf(kind === 'postgres')('should see a change another process commits as soon as its notification arrives', async () => {
    await importDemo(h.db.db, demo);
    expect(await answer(h, joanna.id, 'help')).toContain('What Kooperator can do');
    await importElsewhere(joannaSpeaks('pl'));
    expect(await answerOnceNotified(joanna.id, 'help', 'Co potrafi Kooperator')).toContain('Co potrafi Kooperator');
  });

  it.runIf(kind === 'postgres')('should not answer from memory a list of meetings another process has just moved', async () => {
    await importDemo(h.db.db, demo);
    expect(await answer(h, anna.id, 'spotkania')).toContain('wtorek, 12 stycznia 2027, 10:00');
    expect(await answer(h, anna.id, 'spotkania')).toContain('wtorek, 12 stycznia 2027, 10:00');
    await importElsewhere(demo.replace('      except:\n', '      except:\n        - date: 2027-01-12\n          moved_to: 2027-01-13T12:00\n'));
    expect(await answerOnceNotified(anna.id, 'spotkania', 'środa, 13 stycznia 2027, 12:00')).toContain('środa, 13 stycznia 2027, 12:00');
    await importDemo(h.db.db, demo);
  });
});

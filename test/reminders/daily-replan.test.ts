import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCommand } from '../../src/cli/commands.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/main.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { aSchedule, aTeam, importYaml } from '../support/schedule-builder.js';

const DAY = 24 * 3600_000;

describe.each(dialects)('the daily re-plan on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-01T00:00:00Z');
  // Tuesdays at 10:00 from 5 January, reminders P7D, P1D, PT2H.
  const team = () => aTeam('t1').meetingsEvery('FREQ=WEEKLY;BYDAY=TU', '2027-01-05T10:00').withMember('Anna', 'anna@example.org').withMember('Bolek', 'bolek@example.org');
  const keys = async () => (await db.db.selectFrom('deliveries').select('dedupe_key').where('kind', '=', 'reminder').execute()).map((r) => r.dedupe_key.replace(/:\d+$/, ''));

  beforeEach(async () => {
    clock.set('2027-01-01T00:00:00Z');
    db = await freshDatabase(kind);
    await importYaml(db.db, clock, { 't.yaml': aSchedule().with(team()).toYaml() });
  });
  afterEach(async () => db?.close());

  it('should plan only the new days at the end of the horizon when nothing changed, and everything again for a team that changed', async () => {
    // 5 January: P1D and PT2H (P7D is past); 12 January: all three. Two members.
    expect(await planReminders(db.db, { clock, horizonDays: 14 })).toBe(10);
    // A probe: a row the first plan made, taken away. A re-plan that offered the whole horizon
    // to ON CONFLICT again would put it back.
    const probe = await db.db.deleteFrom('deliveries').where('dedupe_key', 'like', 'reminder:t1:2027-01-12:P1D:%').returning('dedupe_key').execute();
    expect(probe).toHaveLength(2);

    clock.advance(7 * DAY);
    // A week on: only 19 January is new (three offsets, two members); the probe stays away.
    expect(await planReminders(db.db, { clock, horizonDays: 14 })).toBe(6);
    expect(await keys()).not.toContain('reminder:t1:2027-01-12:P1D');
    expect(await planReminders(db.db, { clock, horizonDays: 14 })).toBe(0);

    // A new member: the team's data changed, so its whole horizon is planned again.
    await importYaml(db.db, clock, { 't.yaml': aSchedule().with(team().withMember('Cela', 'cela@example.org')).toYaml() });
    // Cela: 12 January P1D and PT2H, 19 January all three; and the two probe rows come back.
    expect(await planReminders(db.db, { clock, horizonDays: 14 })).toBe(7);
    expect((await keys()).filter((k) => k === 'reminder:t1:2027-01-12:P1D')).toHaveLength(3);
  });

  it('should plan a new team in full while the others only extend', async () => {
    expect(await planReminders(db.db, { clock, horizonDays: 14 })).toBe(10);
    clock.advance(DAY);
    await importYaml(db.db, clock, {
      't.yaml': aSchedule().with(team(), aTeam('t2').meetingsEvery('FREQ=WEEKLY;BYDAY=WE', '2027-01-06T10:00').withMember('Darek', 'darek@example.org')).toYaml(),
    });
    // t2: 6 January P1D and PT2H, 13 January all three (P7D on the 6th is past); t1 gains no day with a meeting.
    expect(await planReminders(db.db, { clock, horizonDays: 14 })).toBe(5);
    expect((await keys()).filter((k) => k.startsWith('reminder:t2:'))).toHaveLength(5);
  });
});

describe('the import command', () => {
  it('should plan reminders for a member it adds at once, not at the next daily plan', async () => {
    const clock = new FixedClock('2027-01-01T00:00:00Z');
    const dir = mkdtempSync(join(tmpdir(), 'koop-import-plan-'));
    const config = loadConfig({ DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'silent' });
    const team = () => aTeam('t1').meetingsEvery('FREQ=WEEKLY;BYDAY=TU', '2027-01-05T10:00').withMember('Anna', 'anna@example.org');
    const file = join(dir, 't.yaml');
    const importFile = async (yaml: string) => {
      writeFileSync(file, yaml);
      await importCommand(config, clock, [file], false, () => {});
    };
    const remindersOf = async (email: string) => {
      const db = await openDatabase(config, 'test');
      try {
        return (await db.db.selectFrom('deliveries').innerJoin('people', 'people.id', 'deliveries.person_id').select('deliveries.id').where('people.email', '=', email).where('kind', '=', 'reminder').execute()).length;
      } finally {
        await db.close();
      }
    };
    await importFile(aSchedule().with(team()).toYaml());
    clock.advance(60_000);
    await importFile(aSchedule().with(team().withMember('Cela', 'cela@example.org')).toYaml());
    // Within the 60-day horizon (to 2 March, 00:00): Tuesdays 5 January to 23 February, three offsets each, P7D of the 5th already past.
    expect(await remindersOf('cela@example.org')).toBe(23);
    expect(await remindersOf('anna@example.org')).toBe(23);
  }, 60_000);
});

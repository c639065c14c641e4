import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { SettingsAlarm, watchSettings } from '../../src/delivery/settings-alarm.js';
import type { ChannelSender, Message, SendResult } from '../../src/ports/channel.port.js';
import { demoDatabase, dialects } from '../support/databases.js';

const message: Message = { language: 'pl', title: 'Przypomnienie', text: 'Spotkanie jutro' };

describe.each(dialects)('the settings alarm on %s', (kind) => {
  let db: Db;
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const clock = new FixedClock('2027-01-04T08:00:00Z');

  beforeEach(async () => {
    lines.length = 0;
    db = await demoDatabase(kind, clock);
    // The demo's admin is reached by e-mail only; give her Slack too.
    await db.db.updateTable('people').set({ channels: JSON.stringify(['slack', 'email']) as never }).where('email', '=', 'elzbieta.pawlak@example.org').execute();
  });
  afterEach(async () => db?.close());

  function failingEmail(results: SendResult[]): ChannelSender {
    return { kind: 'email', send: async () => results.shift() ?? { ok: true } };
  }
  const refused: SendResult = { ok: false, permanent: false, settings: true, reason: 'SMTP login failed, check SMTP_URL: 535 Authentication failed' };

  it('should log once, set the gauge and queue one message to the admins through their other channel, and clear when e-mail works', async () => {
    const registry = new Registry();
    const alarm = new SettingsAlarm({ db: db.db, clock, log, registry });
    const sender = watchSettings(failingEmail([refused, refused, refused]), alarm);
    for (let i = 0; i < 3; i++) expect(await sender.send('anna.nowak@example.org', message)).toEqual(refused);

    expect(lines.filter((l) => l.level === 50)).toEqual([expect.objectContaining({ channel: 'email', reason: refused.ok ? '' : refused.reason })]);
    expect(await registry.getSingleMetricAsString('kooperator_channel_settings_refused')).toContain('kooperator_channel_settings_refused{channel="email"} 1');
    const told = await db.db.selectFrom('deliveries').innerJoin('people', 'people.id', 'deliveries.person_id').select(['people.email', 'deliveries.channels', 'deliveries.payload']).where('deliveries.kind', '=', 'settings_alarm').execute();
    expect(told).toEqual([{ email: 'elzbieta.pawlak@example.org', channels: ['slack'], payload: expect.objectContaining({ language: 'pl', title: 'Kooperator: kanał e-mail odrzuca nasze ustawienia' }) }]);

    expect(await sender.send('anna.nowak@example.org', message)).toEqual({ ok: true });
    expect(alarm.isRaised('email')).toBe(false);
    expect(await registry.getSingleMetricAsString('kooperator_channel_settings_refused')).toContain('kooperator_channel_settings_refused{channel="email"} 0');
  });

  it('should say so in the log when no admin has another channel', async () => {
    await db.db.updateTable('people').set({ channels: JSON.stringify(['email']) as never }).where('staff_role', '=', 'admin').execute();
    const alarm = new SettingsAlarm({ db: db.db, clock, log });
    await watchSettings(failingEmail([refused]), alarm).send('x@example.org', message);
    expect(lines.map((l) => l.msg)).toEqual([expect.stringContaining('refuses our settings'), expect.stringContaining('no admin can be told')]);
    expect(await db.db.selectFrom('deliveries').select('id').where('kind', '=', 'settings_alarm').execute()).toEqual([]);
  });
});

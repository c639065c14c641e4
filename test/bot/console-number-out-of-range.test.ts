import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConsoleChat } from '../../adapters/console/console-chat.js';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { createLogger } from '../../src/log.js';
import { demoDatabase } from '../support/databases.js';

const clock = new FixedClock('2027-01-04T08:00:00Z');

/**
 * Review of issue 14 (terminal chat: "number the actions and let the person type the number").
 * The hint under the buttons says "Aby wybrać przycisk, proszę wpisać jego numer"; a number
 * with no button (0, or one past the last) is sent as a command instead, and the answer is
 * "Polecenie „0” nie jest nam znane." — the person is told the number is an unknown command
 * rather than which numbers there are.
 */
describe('a number with no button in the terminal chat', () => {
  let db: Db;
  let bot: Bot;
  beforeAll(async () => {
    db = await demoDatabase('pglite', clock);
    await planInvitations(db.db, clock);
    bot = new Bot({ db: db.db, clock, publicUrl: 'https://koop.example.org', appSecret: 'k'.repeat(40), log: createLogger('silent') });
  });
  afterAll(async () => db?.close());

  async function chat(lines: string[]): Promise<string> {
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk) => (printed += chunk));
    const done = runConsoleChat({ email: 'anna.nowak@example.org', handle: (incoming) => bot.handle(incoming), input, output });
    input.end(lines.join('\n'));
    await done;
    return printed;
  }

  it.each(['0', '999'])('typed %s after a list with buttons: should say which numbers there are, not "unknown command"', async (typed) => {
    const out = await chat(['warsztaty', typed]);
    expect(out).toContain('Aby wybrać przycisk, proszę wpisać jego numer');
    // Fails today: "Polecenie „0” nie jest nam znane. Lista poleceń: pomoc."
    expect(out).not.toContain(`Polecenie „${typed}” nie jest nam znane`);
    expect(out).toMatch(new RegExp(`Nie ma przycisku o numerze ${typed}\\. Proszę wpisać numer od 1 do \\d+\\.`));
  });

  it('typed a number after an answer with no buttons: should say there is nothing to press', async () => {
    const out = await chat(['pomoc', '2']);
    expect(out).toContain('Ostatnia odpowiedź nie ma przycisków, więc numer 2 niczego nie wybiera.');
    expect(out).not.toContain('Polecenie „2” nie jest nam znane');
  });
});

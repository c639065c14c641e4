import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { unsubscribeRoutes } from '../../src/http/unsubscribe-page.js';
import { meRoutes } from '../../src/http/me/me-routes.js';
import { personalPageUrl } from '../../src/me/me-link.js';
import { createLogger } from '../../src/log.js';
import { unsubscribeUrl } from '../../src/preferences/preference-links.js';
import { loadPreferences, muteKind, MUTABLE_KINDS } from '../../src/preferences/preferences.js';
import { dialects, demoDatabase } from '../support/databases.js';

const SECRET = 's'.repeat(40);
const PUBLIC = 'https://koop.example.org';
const log = createLogger('silent');
const clock = new FixedClock('2027-01-04T08:00:00Z');
const ANNA = 'anna.nowak@example.org';

describe.each(dialects)('concurrent preference changes keep every change, on %s', (kind) => {
  let db: Db;
  let server: Server;
  let base: string;
  let anna: number;
  let bot: Bot;

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    anna = (await db.db.selectFrom('people').select('id').where('email', '=', ANNA).executeTakeFirstOrThrow()).id;
    server = createHttpServer({ routes: [...unsubscribeRoutes({ db: db.db, clock, appSecret: SECRET, publicUrl: PUBLIC }), ...meRoutes({ db: db.db, clock, appSecret: SECRET, publicUrl: PUBLIC })], mounts: [], metrics: createMetrics(), log });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    bot = new Bot({ db: db.db, clock, publicUrl: PUBLIC, appSecret: SECRET, log });
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await db?.close();
  });
  beforeEach(async () => {
    await db.db.deleteFrom('preferences').execute();
  });

  const muted = async () => (await loadPreferences(db.db, anna)).mutedKinds.sort();

  it('should mute every kind when one-click unsubscribes of different kinds arrive at once', async () => {
    const posts = MUTABLE_KINDS.map((k) =>
      fetch(`${base}${new URL(unsubscribeUrl(PUBLIC, SECRET, anna, k, clock.now())).pathname}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      }),
    );
    expect((await Promise.all(posts)).map((r) => r.status)).toEqual(MUTABLE_KINDS.map(() => 200));
    expect(await muted()).toEqual([...MUTABLE_KINDS].sort());
  });

  it('should mute every kind when the unsubscribe use case runs for each at once (interleaved on one PGlite connection too)', async () => {
    await Promise.all(MUTABLE_KINDS.map((k) => muteKind(db.db, anna, k, clock.now())));
    expect(await muted()).toEqual([...MUTABLE_KINDS].sort());
  });

  it('should keep both when a person mutes two kinds in chat at once, and quiet hours set meanwhile', async () => {
    const say = (text: string) => bot.handle({ type: 'command', from: { channel: 'console', email: ANNA }, command: 'ustawienia', text });
    await Promise.all([say('wycisz przypomnienia'), say('wycisz ogłoszenia'), say('cisza 22-6'), say('wycisz zaproszenia')]);
    const preferences = await loadPreferences(db.db, anna);
    expect(preferences.mutedKinds.sort()).toEqual(['announcements', 'invitations', 'reminders']);
    expect(preferences.quiet).toEqual({ from: 22, to: 6 });
  });

  it('should keep a one-click unsubscribe that arrives while the person unmutes another kind in chat', async () => {
    const say = (text: string) => bot.handle({ type: 'command', from: { channel: 'console', email: ANNA }, command: 'ustawienia', text });
    await say('wycisz przypomnienia');
    const post = fetch(`${base}${new URL(unsubscribeUrl(PUBLIC, SECRET, anna, 'announcements', clock.now())).pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    await Promise.all([post, say('włącz przypomnienia')]);
    expect(await muted()).toEqual(['announcements']);
  });

  it('should refuse one of two changes at once that together would mute every channel of the person', async () => {
    const michal = 'michal.dabrowski@example.org';
    const say = (text: string) => bot.handle({ type: 'command', from: { channel: 'console', email: michal }, command: 'ustawienia', text });
    const answers = await Promise.all([say('wycisz slack'), say('wycisz email')]);
    const id = (await db.db.selectFrom('people').select('id').where('email', '=', michal).executeTakeFirstOrThrow()).id;
    const stored = await loadPreferences(db.db, id);
    expect(stored.mutedChannels).toHaveLength(1);
    expect(answers.map((a) => a.text.split('\n')[0]).sort()).toEqual([
      'Nie można wyłączyć wszystkich kanałów: przynajmniej jeden musi pozostać, żeby docierały zmiany terminów.',
      'Zapisano. Obowiązuje od razu i nie zmieni się przy aktualizacji harmonogramu.',
    ]);
  });

  it('should keep a one-click unsubscribe that came after the personal page was opened, when the page is saved', async () => {
    const page = new URL(await personalPageUrl(db.db, PUBLIC, SECRET, anna, clock.now())).pathname;
    const shown = await (await fetch(`${base}${page}`)).text();
    expect(shown).toContain('name="shown_kinds"');
    await muteKind(db.db, anna, 'announcements', clock.now());
    // The page as it was shown (nothing muted), with only the quiet hours changed.
    const form = new URLSearchParams({ shown_kinds: '', shown_channels: '', shown_quiet: '20-7', quiet_from: '22', quiet_to: '6' });
    const saved = await fetch(`${base}${page}/preferences`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), redirect: 'manual' });
    expect(saved.status).toBe(303);
    const stored = await loadPreferences(db.db, anna);
    expect(stored.mutedKinds).toEqual(['announcements']);
    expect(stored.quiet).toEqual({ from: 22, to: 6 });
  });
});

/**
 * The network edge of the soak benchmark (bench/soak.bench.ts): a sink SMTP server, a fake
 * Slack Web API, the schedule it runs on, and the steady mix of requests it drives.
 */
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { SMTPServer } from 'smtp-server';
import { FakeSlack } from '../test/support/fake-platforms/slack.js';
import { httpGet, sleep } from './support.js';

export const SIGNING_SECRET = 'bench-soak-signing-secret-0123456789';
/** Members of the soak team beside the demo: "an invitation to a few hundred people". */
export const MEMBERS = 300;
const ZONE = 'Europe/Warsaw';
/** Slack users: U0000 is the soak team's coordinator, U0001… members, URCPS is the demo's RCPS staff. */
const emailOf = (user: string) => (user === 'URCPS' ? 'jan.kowalski@example.org' : /^U(\d{4})$/.test(user) ? `soak.m${user.slice(1)}@example.org` : undefined);

/** An SMTP server on 127.0.0.1 that accepts and drops every mail, counting them. */
export async function sinkSmtp(): Promise<{ port: number; mails: () => number; close(): Promise<void> }> {
  let mails = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('end', () => (mails++, callback()));
      stream.resume();
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.server.address() as { port: number }).port, mails: () => mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** auth.test at start, users.info for the soak's people; everything else (chat.postMessage, views.publish…) is ok. */
export const fakeSlackApi = () => new FakeSlack({ limits: 'none', emailOf, keepAliveMs: 1000 }).start();

/**
 * A team of MEMBERS people beside the demo (e-mail only, so every message goes to the sink):
 * one meeting a week, the first the day after tomorrow at 04:00 (Warsaw), which the load moves
 * again and again; and an activity inviting them all.
 */
export function soakScheduleFile(dir: string): string {
  const first = DateTime.now().setZone(ZONE).plus({ days: 2 }).toISODate()!;
  const members = Array.from({ length: MEMBERS }, (_, i) =>
    [
      `      - name: Osoba Testowa ${i}`,
      `        email: soak.m${String(i).padStart(4, '0')}@example.org`,
      `        institution: Ośrodek Pomocy Społecznej ${i % 10}`,
      `        role: ${i === 0 ? 'coordinator' : 'member'}`,
      '        channels: [email]',
      `        language: ${i % 5 === 0 ? 'en' : 'pl'}`,
    ].join('\n'),
  );
  const file = join(dir, 'soak.yaml');
  writeFileSync(
    file,
    [
      'timezone: Europe/Warsaw',
      'teams:',
      '  - id: soak',
      '    name: PZK Soak',
      '    area: gmina',
      '    meetings:',
      '      rrule: FREQ=WEEKLY',
      `      starts: ${first}T04:00`,
      '      duration: PT1H',
      '      location: Sala 1',
      '      reminders: [P1D, PT2H]',
      '    members:',
      ...members,
      'activities:',
      '  - id: soak-warsztaty',
      '    kind: workshop',
      '    title: Warsztaty dla zespołu Soak',
      `    starts: ${DateTime.now().setZone(ZONE).plus({ days: 40 }).toISODate()}T09:00`,
      `    ends: ${DateTime.now().setZone(ZONE).plus({ days: 40 }).toISODate()}T15:00`,
      '    location: Sala 2',
      '    capacity: 100',
      `    rsvp_by: ${DateTime.now().setZone(ZONE).plus({ days: 30 }).toISODate()}`,
      '    audience: [soak]',
      '    public: true',
      '',
    ].join('\n'),
  );
  return file;
}

export interface LoadCounts {
  feeds: number;
  notModified: number;
  pages: number;
  commands: number;
  moves: number;
  movesRefused: number;
  announcements: number;
  errors: string[];
}

function signed(user: string, text: string, n: number): { body: string; headers: Record<string, string> } {
  const body = new URLSearchParams({
    token: 'legacy',
    team_id: 'T1',
    channel_id: 'D1',
    user_id: user,
    command: '/pzk',
    text,
    api_app_id: 'A1',
    response_url: 'https://hooks.slack.invalid/commands/T1/1/x',
    trigger_id: `${n}.1.soak`,
  }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature } };
}

/**
 * The steady mix, until `until` (performance.now() ms) or `stop()`: a feed or page GET every
 * 100 ms (all.ics, two team feeds, personal feeds learnt from `kalendarz`, the schedule page;
 * every other one with the ETag it got, so about half are 304s), a signed `/pzk` command every
 * 500 ms from one of the members, a re-plan every minute (the coordinator moves the soak team's
 * next meeting to 2 h 2 min from now: a notice to every member, and the 2-hour reminder due two
 * minutes later), and an announcement to everyone (`ogłoszenie @wszyscy`, confirmed) every
 * `announceEveryMs`.
 */
export function driveLoad(url: string, until: number, announceEveryMs: number): { done: Promise<void>; counts: LoadCounts } {
  const counts: LoadCounts = { feeds: 0, notModified: 0, pages: 0, commands: 0, moves: 0, movesRefused: 0, announcements: 0, errors: [] };
  const fail = (what: string) => (error: unknown) => {
    if (counts.errors.length < 20) counts.errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  };
  const running = () => performance.now() < until;
  let n = 0;
  const command = async (user: string, text: string): Promise<string> => {
    const request = signed(user, text, ++n);
    const response = await fetch(`${url}/slack/events`, { method: 'POST', headers: request.headers, body: request.body });
    const answer = await response.text();
    if (response.status !== 200) throw new Error(`/pzk ${text}: ${response.status} ${answer.slice(0, 200)}`);
    counts.commands++;
    return answer;
  };
  const personal: string[] = [];
  const etags = new Map<string, string>();

  const feeds = async () => {
    const paths = ['/calendars/all.ics', '/calendars/teams/lodz.ics', '/calendars/teams/soak.ics', '/'];
    for (let i = 0; running(); i++) {
      const path = i % 7 === 6 && personal.length ? personal[i % personal.length]! : paths[i % paths.length]!;
      const etag = i % 2 === 0 ? etags.get(path) : undefined;
      await httpGet(`${url}${path}`, etag ? { 'if-none-match': etag } : {}, 10_000).then((answer) => {
        if (answer.status === 304) counts.notModified++;
        else if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status}`);
        if (typeof answer.headers.etag === 'string') etags.set(path, answer.headers.etag);
        if (path === '/') counts.pages++;
        else counts.feeds++;
      }, fail('feed'));
      await sleep(100);
    }
  };

  const commands = async () => {
    const texts = ['spotkania', 'warsztaty', 'kalendarz', 'pomoc', 'spotkania soak'];
    for (let i = 0; running(); i++) {
      const member = 1 + (i % (MEMBERS - 1));
      const text = texts[i % texts.length]!;
      await command(`U${String(member).padStart(4, '0')}`, text).then((answer) => {
        // `kalendarz` gives the member's own feed link: a few of them join the feed mix.
        const link = text === 'kalendarz' && personal.length < 20 ? /https?:\/\/[^\s"<>|]+?\.ics/.exec(answer)?.[0] : undefined;
        if (link) personal.push(new URL(link).pathname);
      }, fail('command'));
      await sleep(500);
    }
  };

  const ruleDay = DateTime.now().setZone(ZONE).plus({ days: 2 }).toISODate()!;
  const replans = async () => {
    let lastAnnouncement = -Infinity;
    while (running()) {
      const to = DateTime.now().setZone(ZONE).plus({ hours: 2, minutes: 2 });
      await command('U0000', `spotkania przenieś ${ruleDay} ${to.toISODate()} ${to.toFormat('HH:mm')}`).then((answer) => {
        // Moved: the answer names the new hour; anything else (a refusal) is counted.
        if (answer.includes(to.toFormat('HH:mm'))) counts.moves++;
        else counts.movesRefused++;
      }, fail('move'));
      if (performance.now() - lastAnnouncement >= announceEveryMs) {
        lastAnnouncement = performance.now();
        await command('URCPS', `ogłoszenie @wszyscy Ogłoszenie testowe nr ${counts.announcements + 1}: proszę sprawdzić kalendarz.`)
          .then(() => command('URCPS', 'ogłoszenie potwierdź'))
          .then(() => counts.announcements++, fail('announcement'));
      }
      const next = performance.now() + 60_000;
      while (running() && performance.now() < next) await sleep(500);
    }
  };

  return { done: Promise.all([feeds(), commands(), replans()]).then(() => undefined), counts };
}

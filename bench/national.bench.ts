/**
 * Issue 17, "a national day": Poland's 2,857 gminy and powiaty (bench/generate-national.ts),
 * 30,000 members, one simulated week compressed into BENCH_NATIONAL_MINUTES (default 10) real
 * minutes, on PGlite and on PostgreSQL. The real service runs in a child process
 * (bench/national-service.ts) on a clock that runs week ÷ minutes times faster than real time
 * (about 1,000× at ten minutes); everything leaves through the outbox and the real dispatcher
 * to the SMTP sink and fake Slack API of bench/national-edges.ts. Meanwhile, on the simulated
 * clock: reminders, check-ins and the Monday digest fall due; 1,500 `/pzk spotkania` (signed
 * Slack requests) come on Monday 9:00–10:00 and 40 in every other working hour; three
 * conferences are announced (Tue 10:00, Wed 11:00, Thu 13:00) and members answer 60% of the
 * invitations through the links in their e-mails; coordinators answer 70% of check-ins through
 * the form link; calendar clients poll every team feed and every personal feed once per
 * simulated hour (as far as they get). See docs/benchmarks.md, "A national week".
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { generateNational, type NationalSchedule } from './generate-national.js';
import { prng } from './schedule-yaml.js';
import { linksIn, startEdges, type Arrival, type Edges } from './national-edges.js';
import { postgresUrl, redact } from './databases.js';
import { tempDir } from './fixtures.js';
import { captureTail, int, ms, percentile, s, track, waitForExit, withTimeout, yesNo, type Report } from './support.js';
import pg from 'pg';
import { MAX_NAMED } from '../adapters/db/named-statements.js';

/** What docs/operations.md ("Sizing the heap") tells a deployment of tens of thousands of people to give node. */
const NATIONAL_HEAP = ['--max-old-space-size=512', '--max-semi-space-size=16'];
const childArgs = () => process.env.BENCH_NATIONAL_CHILD_ARGS?.split(' ').filter(Boolean) ?? [];

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SIGNING_SECRET = 'bench-national-signing-secret-0123456789';
const APP_SECRET = 'n'.repeat(48);
const WEEK_MS = 7 * 86_400_000;
const ZONE = 'Europe/Warsaw';
/** Monday 1 March 2027, 00:00 in Warsaw: a week without public holidays. */
const SIM_START = DateTime.fromISO('2027-03-01T00:00', { zone: ZONE });
const simAt = (dayOffset: number, hour: number, minute = 0) => SIM_START.plus({ days: dayOffset }).set({ hour, minute }).toMillis();

export const nationalMinutes = () => Number(process.env.BENCH_NATIONAL_MINUTES ?? 10);

interface Ready {
  url: string;
  people: { id: number; email: string; token: string }[];
  timings: Record<string, number>;
  backlog: number;
}
/**
 * The CPU time (ms) of PostgreSQL's processes on this machine so far: every `postgres` process's
 * own time, and the postmaster's reaped children (backends that ended). The server shares the
 * machine's two cores with the service and this process, so a part of the week that costs it
 * much slows the service too. Undefined without /proc (not Linux) or without a local server.
 */
function postgresCpuMs(): number | undefined {
  let ticks = 0;
  let found = false;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  const stats = new Map<string, string[]>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'postgres') continue;
      stats.set(pid, stat.slice(stat.lastIndexOf(')') + 2).split(' '));
    } catch {
      // Gone meanwhile.
    }
  }
  for (const fields of stats.values()) {
    found = true;
    // After the name: state, ppid, … utime (index 11), stime, cutime, cstime, in clock ticks (100 a second).
    ticks += Number(fields[11]) + Number(fields[12]);
    if (!stats.has(fields[1]!)) ticks += Number(fields[13]) + Number(fields[14]);
  }
  return found ? ticks * 10 : undefined;
}

interface Counters {
  cpuMs: number;
  queries: number;
  rss: number;
}
/** id, kind, state, due_at, sent_at, sent_channel, provider_id, attempts, earliest_at (ms; simulated clock). */
type FinishedRow = readonly [number, string, string, number, number | null, string | null, string | null, number, number | null];
interface Finished extends Counters {
  rows: FinishedRow[];
  /** Real ms the service took after the week to send what was due; rows still due after two minutes. */
  drainMs: number;
  backlogLeft: number;
  /** Real ms when the service's stop began and ended, after the drain. */
  stopAt: [number, number];
  /** Where rows still pending and due at the stop would go (e-mail address, Slack user or channel). */
  unsentTo: string[];
  /** Where rows sent on one of their channels would have gone on their others. */
  fellBackTo: string[];
  rsvps: { answer: string; n: string }[];
  statusUpdates: string;
  /** Texts the service sent under names on PostgreSQL (adapters/db/named-statements.ts); null: DATABASE_PREPARED_STATEMENTS=off or PGlite. */
  namedTexts: number | null;
}

class Child {
  private waiting = new Map<string, (value: unknown) => void>();
  readonly tail: () => string;
  constructor(readonly process: ChildProcess) {
    this.tail = captureTail(process, 40);
    process.setMaxListeners(0);
    process.on('message', (m: Record<string, unknown>) => {
      for (const [key, value] of Object.entries(m)) {
        const key2 = key === 'counters' ? `counters:${(value as { n: number }).n}` : key;
        this.waiting.get(key2)?.(value);
        this.waiting.delete(key2);
      }
    });
  }
  next<T>(key: string, limitMs: number): Promise<T> {
    return withTimeout(
      new Promise<T>((resolve, reject) => {
        this.waiting.set(key, resolve as (value: unknown) => void);
        this.waiting.set('error', (e) => reject(new Error(`the service child: ${String(e)}\n${this.tail()}`)));
        this.process.once('exit', (code) => reject(new Error(`the service child exited with ${code}\n${this.tail()}`)));
      }),
      limitMs,
      `waiting for ${key} from the service child`,
    );
  }
  send(message: object): void {
    this.process.send(message);
  }
}

function post(agent: Agent, url: string, body: string, headers: Record<string, string>): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, timeout: 30_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, ms: performance.now() - t0 }));
    req.end(body);
  });
}

function get(agent: Agent, url: string, etag?: string): Promise<{ status: number; ms: number; etag?: string }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = request(url, { agent, headers: etag ? { 'if-none-match': etag } : {}, timeout: 30_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, etag: res.headers.etag as string | undefined }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, ms: performance.now() - t0 }));
    req.end();
  });
}

function signedCommand(user: string, text: string, n: number, responseUrl: string): { body: string; headers: Record<string, string> } {
  const body = new URLSearchParams({ token: 'legacy', team_id: 'T1', channel_id: `D${user}`, user_id: user, command: '/pzk', text, api_app_id: 'A1', response_url: responseUrl, trigger_id: `${n}.1.bench` }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature } };
}

async function weekOn(report: Report, label: string, national: NationalSchedule, files: string[], dbEnv: Record<string, string>): Promise<void> {
  const minutes = nationalMinutes();
  const rate = WEEK_MS / (minutes * 60_000);
  const random = prng(2027);
  const slackUsers = new Map<string, string>();
  national.members.forEach((email, i) => slackUsers.set(`U${String(i).padStart(6, '0')}`, email));
  const slackIdOf = new Map([...slackUsers].map(([id, email]) => [email, id]));
  // Whom each e-mail's links reach: members decide once per invitation and per check-in.
  const actions: (() => void)[] = [];
  let onMail: (to: string, raw: string) => void = () => undefined;
  const edges: Edges = await startEdges({ slackEmail: (user) => slackUsers.get(user), onMail: (to, raw) => onMail(to, raw) });
  const dataDir = tempDir(`national-${label.toLowerCase()}`);
  report.note(`national ${label}: the service's node options ${[...NATIONAL_HEAP, ...childArgs()].join(' ')}.`);
  /** A service process of the week on this database, with `env` of its own (its data folder, its part). */
  const forkService = (env: Record<string, string>) =>
    new Child(
      track(
        fork(join(ROOT, 'bench', 'national-service.ts'), [], {
          cwd: ROOT,
          // The heap a national deployment is told to give the service (docs/operations.md, "Sizing
          // the heap"), then BENCH_NATIONAL_CHILD_ARGS: more node options, later ones winning (say
          // --cpu-prof, or the image's --max-old-space-size=512 --max-semi-space-size=1 to compare).
          execArgv: ['--import', 'tsx', ...NATIONAL_HEAP, ...childArgs()],
          env: { ...process.env, ...dbEnv, BENCH_SIM_START: SIM_START.toUTC().toISO()!, BENCH_RATE: String(rate), BENCH_APP_SECRET: APP_SECRET, BENCH_SMTP_URL: edges.smtpUrl, BENCH_SLACK_API_URL: edges.slackApiUrl, BENCH_SIGNING_SECRET: SIGNING_SECRET, ...env },
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        }),
      ),
    );
  let second: Child | undefined;
  const child = forkService({ DATA_DIR: dataDir, BENCH_SCHEDULE: files.join(',') });
  try {
    const ready = await child.next<Ready>('ready', 900_000);
    const t = ready.timings;
    report.row(`national ${label}: import ${int(national.teams.length)} teams, ${int(national.members.length)} members (${files.length} files)`, s(t.import!));
    report.row(`national ${label}: plan 60 days (reminders, check-ins, digests, summaries): ${int(t.planned!)} rows pending`, s(t.plan!));
    report.row(`national ${label}: ${int(ready.people.length)} personal feed tokens; service start`, `${s(t['feed tokens']!)}; ${s(t.start!)}`);
    if (ready.backlog) report.note(`national ${label}: ${int(ready.backlog)} rows due before the week (first-import backlog) counted as sent.`);

    // BENCH_NATIONAL_REPLICAS=2: a second service process on the same database (its own data
    // folder), started once the first has imported and planned; requests alternate between them.
    const replicas = Number(process.env.BENCH_NATIONAL_REPLICAS ?? 1);
    const urls = [ready.url];
    if (replicas >= 2) {
      second = forkService({ DATA_DIR: tempDir(`national-${label.toLowerCase()}-2`), BENCH_NATIONAL_REPLICA: '1' });
      urls.push((await second.next<Ready>('ready', 300_000)).url);
      report.note(`national ${label}: two service processes on one database, requests alternating between them; the per-hour costs are the first process's only, the whole week's CPU both.`);
    }
    let turn = 0;
    const pick = () => urls[turn++ % urls.length]!;
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    const realStart = Date.now() + 1500;
    const simEnd = SIM_START.toMillis() + WEEK_MS;
    const toReal = (sim: number) => realStart + (sim - SIM_START.toMillis()) / rate;
    const simNow = () => SIM_START.toMillis() + (Date.now() - realStart) * rate;
    const at = (sim: number, work: () => void) => {
      const timer = setTimeout(work, Math.max(0, toReal(sim) - Date.now()));
      timers.push(timer);
    };
    const timers: NodeJS.Timeout[] = [];
    let over = false;
    const pending = new Set<Promise<unknown>>();
    const track2 = <T>(p: Promise<T>) => (pending.add(p), p.finally(() => pending.delete(p)));

    // Members acting on their mail: invitations (60% answer, 3 in 4 of them accept) and check-ins (70%).
    const idByEmail = new Map(ready.people.map((p) => [p.email, p.id]));
    const answers = { rsvp: [] as number[], rsvpFailed: 0, forms: [] as number[], formsFailed: 0 };
    onMail = (to, raw) => {
      if (over || !idByEmail.has(to)) return;
      const { rsvp, forms } = linksIn(raw);
      if (rsvp.length && random() < 0.6) {
        const wanted = random() < 0.75 ? 'accepted' : 'declined';
        const link = rsvp.find((l) => l.answer === wanted);
        const when = simNow() + random() * 36 * 3600_000;
        if (link && when < simEnd) at(when, () => { const url = pick(); void track2(post(agent, `${url}/rsvp/${link.token}`, '', { origin: url, 'content-type': 'application/x-www-form-urlencoded' }).then((r) => (r.status === 200 ? answers.rsvp.push(r.ms) : answers.rsvpFailed++))); });
      }
      const status = forms.find((f) => f.form === 'status');
      if (status && random() < 0.7) {
        const when = simNow() + random() * 6 * 3600_000;
        const body = new URLSearchParams({ done: 'Omówiliśmy sytuację trzech rodzin i ustaliliśmy plan wsparcia.', next: 'Spotkanie z kuratorem i pedagogiem szkolnym.', people: '7' }).toString();
        if (when < simEnd) at(when, () => { const url = pick(); void track2(post(agent, `${url}/forms/${status.token}`, body, { origin: url, 'content-type': 'application/x-www-form-urlencoded' }).then((r) => (r.status === 200 ? answers.forms.push(r.ms) : answers.formsFailed++))); });
      }
    };

    // Commands: 1,500 in the Monday 9:00 hour, 40 in every other working hour (8–16, Mon–Fri).
    // Like calendar polling, commands do not compress: the peak's 1,500 in a simulated hour are
    // 417 a real second at 1,008× (a real peak is 0.4 a second), which saturated the service on
    // this machine and held up everything else. At most BENCH_NATIONAL_COMMANDERS (default 4)
    // are in flight; those due while all are busy are not sent and are counted as skipped.
    const commands = { peak: [] as number[], other: [] as number[], failed: 0, skipped: 0 };
    const commanders = Number(process.env.BENCH_NATIONAL_COMMANDERS ?? 4);
    let inFlight = 0;
    const slackMembers = national.members.filter((_, i) => i % 3 === 2);
    let n = 0;
    const command = (peak: boolean) => {
      if (inFlight >= commanders) return void commands.skipped++;
      inFlight++;
      const email = slackMembers[Math.floor(random() * slackMembers.length)]!;
      const signed = signedCommand(slackIdOf.get(email)!, 'spotkania', ++n, edges.responseUrl);
      void track2(post(agent, `${pick()}/slack/events`, signed.body, signed.headers).then((r) => (r.status === 200 ? (peak ? commands.peak : commands.other).push(r.ms) : commands.failed++)).finally(() => inFlight--));
    };
    for (let day = 0; day < 5; day++) {
      for (let hour = 8; hour < 16; hour++) {
        const peak = day === 0 && hour === 9;
        const count = peak ? 1500 : 40;
        for (let i = 0; i < count; i++) at(simAt(day, hour) + random() * 3600_000, () => command(peak));
      }
    }

    // Three conferences, each for some voivodeships' teams, announced during the week.
    const conferences = [
      { day: 1, hour: 10, id: 'konferencja-mazowsze', title: 'Konferencja wojewódzka: współpraca w pracy z rodziną (mazowieckie)', voivodeships: ['mz'] },
      { day: 2, hour: 11, id: 'konferencja-poludnie', title: 'Konferencja regionalna Południe: kooperacja instytucji', voivodeships: ['sl', 'ma'] },
      { day: 3, hour: 13, id: 'konferencja-polnoc', title: 'Konferencja regionalna Północ: dzieci i rodziny w kryzysie', voivodeships: ['pm', 'wn', 'kp'] },
    ];
    const invited = new Map<string, number>();
    for (const c of conferences) {
      const teams = national.teams.filter((team) => c.voivodeships.includes(team.voivodeship));
      invited.set(c.id, teams.reduce((sum, team) => sum + team.members.length, 0));
      const starts = SIM_START.plus({ days: 35 + c.day }).set({ hour: 9 });
      at(simAt(c.day, c.hour), () =>
        child.send({ conference: { id: c.id, title: c.title, startsLocal: starts.toFormat("yyyy-MM-dd'T'HH:mm"), endsLocal: starts.set({ hour: 16 }).toFormat("yyyy-MM-dd'T'HH:mm"), startsAt: starts.toUTC().toISO(), endsAt: starts.set({ hour: 16 }).toUTC().toISO(), rsvpBy: starts.minus({ days: 10 }).toISODate(), teams: teams.map((team) => team.id) } }),
      );
    }

    // Calendar clients: every team feed and every personal feed in turn, at a steady real rate
    // (BENCH_NATIONAL_POLL_RATE a real second, default 45: five times what hourly polling of
    // all 32,874 feeds is in a real week, 9.1 a second). Polling does not compress: hourly
    // polling compressed 1,008× would be 9,000 requests a real second, which no 2-core machine
    // serves beside everything else; the earlier model (four clients polling as fast as they
    // could) kept the service's one core busy with feeds all week, which no real week does, and
    // by the precedence of requests over sending it measured feeds starving the dispatcher.
    // At most BENCH_NATIONAL_POLLERS (default 8) GETs in flight; a poll due while all are busy is
    // not made and is counted as missed. Every other client sends If-None-Match.
    const pollRate = Number(process.env.BENCH_NATIONAL_POLL_RATE ?? 45);
    const pollers = Number(process.env.BENCH_NATIONAL_POLLERS ?? 8);
    const feeds = [...national.teams.map((team) => `/calendars/teams/${team.id}.ics`), ...ready.people.map((p) => `/calendars/u/${p.token}.ics`)];
    const etags = new Map<number, string>();
    const polls = { ok200: [] as number[], ok304: [] as number[], failed: 0, missed: 0, due: 0, rate: pollRate };
    let pollsInFlight = 0;
    const polling = (async () => {
      const wait0 = realStart - Date.now();
      if (wait0 > 0) await new Promise((resolve) => setTimeout(resolve, wait0));
      for (let i = 0; !over; i++) {
        // The i-th poll is due at realStart + i / rate: a steady rate whatever the timer's jitter.
        const wait = realStart + (i * 1000) / pollRate - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (over) break;
        polls.due++;
        if (pollsInFlight >= pollers) {
          polls.missed++;
          continue;
        }
        // Each feed twice in a row: the second time as a client that kept the ETag (a 304).
        const f = Math.floor(i / 2) % feeds.length;
        pollsInFlight++;
        void track2(
          get(agent, `${pick()}${feeds[f]}`, i % 2 ? etags.get(f) : undefined).then((r) => {
            if (r.status === 200) (polls.ok200.push(r.ms), r.etag && etags.set(f, r.etag));
            else if (r.status === 304) polls.ok304.push(r.ms);
            else polls.failed++;
          }),
        ).finally(() => pollsInFlight--);
      }
    })();

    // The service's CPU and statements at every simulated hour; and how busy this process (the
    // sinks, the clients) was in that hour: a sink busy all the time would bind the sends, not the service.
    const hourly: (Counters & { hour: number; postgresMs: number | undefined })[] = [];
    const edgeBusy: number[] = [];
    let elu = performance.eventLoopUtilization();
    for (let hour = 0; hour <= 168; hour++) {
      at(SIM_START.toMillis() + hour * 3600_000, () => {
        const now = performance.eventLoopUtilization();
        edgeBusy.push(performance.eventLoopUtilization(now, elu).utilization);
        elu = now;
        const postgresMs = label === 'PostgreSQL' ? postgresCpuMs() : undefined;
        child.send({ counters: hour });
        void child.next<Counters>(`counters:${hour}`, 120_000).then(
          (c) => {
            hourly.push({ ...c, hour, postgresMs });
            // Progress, once a simulated day (stdout only).
            if (hour % 12 === 0) process.stdout.write(`  … ${label} hour ${hour}: ${int(edges.arrivals.length)} messages at the sinks, ${int(commands.peak.length + commands.other.length)} commands, ${int(polls.ok200.length + polls.ok304.length)} feed polls, ${int(answers.rsvp.length)} RSVPs, ${int(answers.forms.length)} check-in answers; service CPU ${s(c.cpuMs)}, ${int(c.queries)} statements; this process busy at most ${Math.round(Math.max(0, ...edgeBusy.slice(-12)) * 100)}% of an hour; lag of the counters answer ${ms(Date.now() - toReal(SIM_START.toMillis() + hour * 3600_000))}\n`);
          },
          () => undefined,
        );
      });
    }

    const load0 = loadavg();
    const parentCpu0 = process.cpuUsage();
    child.send({ go: realStart });
    second?.send({ go: realStart });
    report.note(`national ${label}: one week in ${minutes} real minutes, the clock ${int(rate)}× real time (1 real ms = ${(rate / 1000).toFixed(2)} simulated s); load average at the start ${load0.map((l) => l.toFixed(2)).join(' / ')}.`);
    await new Promise((resolve) => setTimeout(resolve, toReal(simEnd) - Date.now()));
    over = true;
    for (const timer of timers) clearTimeout(timer);
    await Promise.race([Promise.allSettled([polling, ...pending]), new Promise((resolve) => setTimeout(resolve, 10_000))]);
    const load1 = loadavg();
    const parentCpu = process.cpuUsage(parentCpu0);
    // The second process stops sending first, so that nothing changes while the first reads the rows.
    let secondCpuMs = 0;
    if (second) {
      second.send({ finish: { stopOnly: true } });
      secondCpuMs = (await second.next<{ cpuMs: number }>('finished', 120_000)).cpuMs;
      report.note(`national ${label}: the second service process used ${s(secondCpuMs)} of CPU over the week.`);
    }
    child.send({ finish: { from: SIM_START.minus({ days: 1 }).toUTC().toISO(), until: DateTime.fromMillis(simEnd).plus({ days: 1 }).toUTC().toISO(), weekEnd: new Date(simEnd).toISOString() } });
    const finished = await child.next<Finished>('finished', 420_000);
    await waitForExit(child.process, 15_000);

    summarise(report, label, { rate, realStart, simEnd, toReal, finished, edges, hourly, commands, polls, answers, invited, feedsPerHour: feeds.length, parentCpuMs: (parentCpu.user + parentCpu.system) / 1000, load1 });
  } finally {
    child.process.kill('SIGKILL');
    second?.process.kill('SIGKILL');
    await edges.close();
  }
}

interface Summary {
  rate: number;
  realStart: number;
  simEnd: number;
  toReal: (sim: number) => number;
  finished: Finished;
  edges: Edges;
  hourly: (Counters & { hour: number; postgresMs: number | undefined })[];
  commands: { peak: number[]; other: number[]; failed: number; skipped: number };
  polls: { ok200: number[]; ok304: number[]; failed: number; missed: number; due: number; rate: number };
  answers: { rsvp: number[]; rsvpFailed: number; forms: number[]; formsFailed: number };
  invited: Map<string, number>;
  feedsPerHour: number;
  parentCpuMs: number;
  load1: number[];
}

function summarise(report: Report, label: string, x: Summary): void {
  const name = (what: string) => `national ${label}: ${what}`;
  const arrivals = new Map<string, number[]>();
  for (const a of x.edges.arrivals) arrivals.set(a.id, [...(arrivals.get(a.id) ?? []), a.at]);
  const simStart = SIM_START.toMillis();
  const byKind = new Map<string, { due: number; sent: number; other: number }>();
  const lateness: number[] = [];
  const lostRows: string[] = [];
  let matched = 0;
  let sentNotSeen = 0;
  let doubledIds = 0;
  const burst = new Map<number, number>();
  // The last arrival of each instant's reminders, real ms after that instant: how fast a burst went out.
  const burstEnd = new Map<number, number>();
  /** Reminders more than a second late, by due instant: what the week's p99 is made of. */
  const lateByInstant = new Map<number, number>();
  // Sending ahead of a lump (docs/delivery-engine.md): rows that may leave early (earliest_at
  // before due) and those that may not (held to the end of quiet hours: earliest_at = due).
  const early: number[] = [];
  const heldLateness: number[] = [];
  let beforeEarliest = 0;
  for (const [id, kind, state, due, sentAt, , provider, , earliest] of x.finished.rows) {
    const inWeek = due >= simStart && due < x.simEnd;
    if (inWeek && kind === 'reminder') burst.set(due, (burst.get(due) ?? 0) + 1);
    const k = byKind.get(kind) ?? { due: 0, sent: 0, other: 0 };
    if (inWeek) k.due++;
    if (state === 'sent' && due >= simStart) {
      if (inWeek) k.sent++;
      const seen = provider ? arrivals.get(provider) : undefined;
      if (seen) (matched++, seen.length > 1 && doubledIds++);
      else if (sentAt && sentAt >= simStart) sentNotSeen++;
      if (kind === 'reminder' && inWeek) {
        // Real ms from the instant the accelerated clock showed the due time to the arrival at the sink.
        const arrived = seen ? seen[0]! : x.toReal(sentAt ?? due);
        lateness.push(arrived - x.toReal(due));
        if (arrived < x.toReal(due)) early.push(x.toReal(due) - arrived);
        if (earliest !== null && earliest >= due) heldLateness.push(arrived - x.toReal(due));
        if (earliest !== null && sentAt !== null && sentAt < earliest) beforeEarliest++;
        burstEnd.set(due, Math.max(burstEnd.get(due) ?? 0, arrived - x.toReal(due)));
        if (arrived - x.toReal(due) > 1000) lateByInstant.set(due, (lateByInstant.get(due) ?? 0) + 1);
      }
    } else if (inWeek) {
      k.other++;
      // Lost: given up (failed), expired (the meeting began before it went out: too late to be
      // of use) or still unsent although due; muted or cancelled ones are decisions, not losses.
      if (kind === 'reminder' && (state === 'failed' || state === 'expired' || state === 'pending' || state === 'sending')) lostRows.push(`${id}:${state}`);
    }
    byKind.set(kind, k);
  }
  const sinkTotal = x.edges.arrivals.length;
  const providerIds = new Set(x.finished.rows.map((r) => r[6]).filter(Boolean));
  const strayArrivals = x.edges.arrivals.filter((a) => !providerIds.has(a.id));
  const strays = strayArrivals.length;
  // A stray is a send cut off by the stop (allowed: it goes again at the next start) when it
  // arrived in the last 30 s before the stop ended and its recipient still has a pending due
  // row; any other is a double or a message that is no delivery: a defect either way.
  const unsentTo = new Set(x.finished.unsentTo);
  const [stopStart, stopEnd] = x.finished.stopAt;
  // Nothing is claimed once the stop begins, but a send it cut off may still reach the sink after the stop returned.
  const cutOff = (a: Arrival) => a.at >= stopStart - 30_000 && unsentTo.has(a.to);
  const inFlight = strayArrivals.filter(cutOff).length;
  const strayTimes = strayArrivals.filter((a) => a.at < stopStart - 30_000).length;
  const fellBackTo = new Set(x.finished.fellBackTo);
  const fellBack = strayArrivals.filter((a) => !cutOff(a) && fellBackTo.has(a.to)).length;
  const unexplained = strayArrivals.filter((a) => !cutOff(a)).slice(0, 3).map((a) => `${a.to} at stop ${a.at - stopStart >= 0 ? '+' : ''}${ms(a.at - stopStart)}${a.at > stopEnd ? ' (after it returned)' : ''}`);
  const reminders = byKind.get('reminder') ?? { due: 0, sent: 0, other: 0 };
  const p99 = percentile(lateness, 99);
  report.row(name(`reminders due in the week, sent`), `${int(reminders.sent)} of ${int(reminders.due)}`);
  report.row(
    name('reminder lateness p50 / p99 / max, real ms from the clock showing the due time to the message at the sink'),
    `${ms(percentile(lateness, 50))} / ${ms(p99)} / ${ms(Math.max(...lateness))} (simulated: ${s(percentile(lateness, 50) * x.rate)} / ${s(p99 * x.rate)} / ${s(Math.max(...lateness) * x.rate)})`,
    'p99 < 1 s',
    yesNo(lateness.length > 0 && p99 < 1000),
  );
  report.row(
    name('reminders sent ahead of their due time: how many; early by p50 / p99 / max, real ms'),
    early.length ? `${int(early.length)}; ${ms(percentile(early, 50))} / ${ms(percentile(early, 99))} / ${ms(Math.max(...early))} (simulated: ${s(percentile(early, 50) * x.rate)} / ${s(percentile(early, 99) * x.rate)} / ${s(Math.max(...early) * x.rate)})` : 'none',
  );
  report.row(
    name('reminders that may not go early (held to the end of quiet hours): how many; lateness p50 / p99 / max, real ms'),
    heldLateness.length ? `${int(heldLateness.length)}; ${ms(percentile(heldLateness, 50))} / ${ms(percentile(heldLateness, 99))} / ${ms(Math.max(...heldLateness))}` : 'none',
  );
  report.row(name('reminders sent before their earliest instant (earliest_at)'), int(beforeEarliest), '0', yesNo(beforeEarliest === 0));
  const bursts = [...burst.values()].sort((a, b) => b - a);
  report.row(name('reminders due at one instant: largest, 10th largest, instants with 100 or more'), `${int(bursts[0] ?? 0)}, ${int(bursts[9] ?? 0)}, ${int(bursts.filter((n) => n >= 100).length)} of ${int(bursts.length)}`);
  // Instants of 500 or more: how long after the instant its last reminder arrived, and the rate that makes.
  const big = [...burst].filter(([, n]) => n >= 500).map(([due, n]) => ({ due, n, endMs: burstEnd.get(due) ?? NaN }));
  const ends = big.map((b) => b.endMs).filter(Number.isFinite);
  report.row(
    name('instants with 500 or more reminders: real time from the instant to its last reminder at a sink, p50 / max; reminders a second over those'),
    ends.length ? `${int(big.length)} instants: ${ms(percentile(ends, 50))} / ${ms(Math.max(...ends))}; ${int(big.reduce((t, b) => t + b.n, 0) / (ends.reduce((t, e) => t + e, 0) / 1000))} a second` : 'none',
  );
  // Which instants are slow (the week's p99 is theirs): the local time in Warsaw, its size and its time to the last reminder.
  const warsaw = new Intl.DateTimeFormat('pl-PL', { timeZone: 'Europe/Warsaw', weekday: 'short', hour: '2-digit', minute: '2-digit' });
  const slowest = big.filter((b) => Number.isFinite(b.endMs)).sort((a, b) => b.endMs - a.endMs).slice(0, 5);
  report.row(name('the five slowest of those instants: Warsaw time, reminders, real time to the last'), slowest.map((b) => `${warsaw.format(new Date(b.due))} ${int(b.n)} ${ms(b.endMs)}`).join('; ') || 'none');
  const lateTotal = [...lateByInstant.values()].reduce((t, n) => t + n, 0);
  const mostLate = [...lateByInstant].sort((a, b) => b[1] - a[1]).slice(0, 8);
  report.row(
    name('reminders more than 1 s late: how many (share of those sent); the instants with most of them: Warsaw time, late of due'),
    `${int(lateTotal)} (${((100 * lateTotal) / Math.max(1, lateness.length)).toFixed(2)}%) in ${int(lateByInstant.size)} instants${mostLate.length ? `; ${mostLate.map(([due, n]) => `${warsaw.format(new Date(due))} ${int(n)} of ${int(burst.get(due) ?? 0)}`).join('; ')}` : ''}`,
  );
  report.row(name('after the week: real time to send what was due (at most 2 min), rows still due then'), `${s(x.finished.drainMs)}, ${int(x.finished.backlogLeft)} left`);
  report.row(name('lost: reminders due in the week not sent after that (failed, expired, or still queued)'), `${int(lostRows.length)}${lostRows.length ? ` (${lostRows.slice(0, 5).join(', ')}…)` : ''}`, '0', yesNo(lostRows.length === 0));
  report.row(
    name('doubled: messages at the sinks beyond one per sent row'),
    `${int(strays)} not matching a sent row's provider id: ${int(inFlight)} cut off by the stop (in its last 30 s, recipient with a pending row: resent at the next start), ${int(strays - inFlight)} not (${int(strayTimes)} of them before the stop; ${int(fellBack)} to a recipient with a row sent on another channel: likely doubles after a send taken for failed${unexplained.length ? `; e.g. ${unexplained.join(', ')}` : ''}); ${int(doubledIds)} ids twice (${int(sinkTotal)} messages at the sinks, ${int(matched)} matched; ${int(sentNotSeen)} rows sent in the week not seen at a sink)`,
    '0',
    yesNo(strays - inFlight === 0 && doubledIds === 0),
  );
  report.row(name('rows due in the week by kind: sent / due (not sent)'), [...byKind].filter(([, k]) => k.due > 0).map(([kind, k]) => `${kind} ${int(k.sent)}/${int(k.due)}${k.other ? ` (${int(k.other)})` : ''}`).join(', '));
  report.row(name('invited to the three conferences; answers recorded (links in the e-mails)'), `${[...x.invited.values()].map(int).join(' + ')} invited; rsvps ${x.finished.rsvps.map((r) => `${r.answer} ${int(Number(r.n))}`).join(', ') || 'none'}; POST /rsvp p50 ${ms(percentile(x.answers.rsvp, 50))}, p99 ${ms(percentile(x.answers.rsvp, 99))}, ${x.answers.rsvpFailed} refused`);
  report.row(name('check-ins answered through the form link'), `${int(x.answers.forms.length)} (${x.finished.statusUpdates} status updates stored; ${x.answers.formsFailed} refused); POST /forms p50 ${ms(percentile(x.answers.forms, 50))}, p99 ${ms(percentile(x.answers.forms, 99))}`);
  report.row(name('Monday 9:00–10:00 peak, 1,500 signed /pzk spotkania over Slack: p50 / p99'), `${ms(percentile(x.commands.peak, 50))} / ${ms(percentile(x.commands.peak, 99))} (${int(x.commands.peak.length)} answered, ${x.commands.failed} failed in the week, ${int(x.commands.skipped)} of the week's ${int(x.commands.peak.length + x.commands.other.length + x.commands.failed + x.commands.skipped)} not sent while the commanders were busy, ${int(x.edges.lateAnswers())} of all acked empty and answered later through response_url; other hours p50 ${ms(percentile(x.commands.other, 50))}, p99 ${ms(percentile(x.commands.other, 99))})`);
  const polled = x.polls.ok200.length + x.polls.ok304.length;
  report.row(
    name(`feed polls: team and personal feeds (${int(x.feedsPerHour)}) in turn, ${x.polls.rate} a real second`),
    `${int(polled)} of ${int(x.polls.due)} due done (${int(x.polls.missed)} missed while the clients were busy, ${x.polls.failed} failed); 200 p50 ${ms(percentile(x.polls.ok200, 50))} p99 ${ms(percentile(x.polls.ok200, 99))}; 304 p50 ${ms(percentile(x.polls.ok304, 50))} p99 ${ms(percentile(x.polls.ok304, 99))}`,
  );
  // What each part cost: the service's CPU and statements in the simulated hours where that part ran.
  const hourly = [...x.hourly].sort((a, b) => a.hour - b.hour);
  const delta = (h: number) => {
    const a = hourly.find((c) => c.hour === h);
    const b = hourly.find((c) => c.hour === h + 1);
    if (!a || !b) return undefined;
    const postgresMs = a.postgresMs !== undefined && b.postgresMs !== undefined ? b.postgresMs - a.postgresMs : undefined;
    return { cpuMs: b.cpuMs - a.cpuMs, queries: b.queries - a.queries, postgresMs };
  };
  type Cost = { cpuMs: number; queries: number; postgresMs: number | undefined };
  const mean = (hours: number[]): Cost | undefined => {
    const d = hours.map(delta).filter((v): v is Cost => !!v);
    const pg = d.every((v) => v.postgresMs !== undefined) ? d.reduce((t, v) => t + v.postgresMs!, 0) / d.length : undefined;
    return d.length ? { cpuMs: d.reduce((t, v) => t + v.cpuMs, 0) / d.length, queries: d.reduce((t, v) => t + v.queries, 0) / d.length, postgresMs: pg } : undefined;
  };
  const hourOf = (day: number, hour: number) => day * 24 + hour;
  const nights = Array.from({ length: 7 }, (_, d) => [1, 2, 3, 4].map((h) => hourOf(d, h))).flat();
  const work = Array.from({ length: 5 }, (_, d) => [11, 12, 14, 15].map((h) => hourOf(d, h))).flat().filter((h) => ![hourOf(1, 11), hourOf(2, 11), hourOf(2, 12), hourOf(3, 14), hourOf(3, 13)].includes(h));
  const core = (cpuMs: number) => `${((cpuMs / (3600_000 / x.rate)) * 100).toFixed(0)}% of a core`;
  const perHour = (what: string, m: Cost | undefined) =>
    report.row(
      name(`service cost, ${what}`),
      m ? `CPU ${ms(m.cpuMs)} per simulated hour (${core(m.cpuMs)}), ${int(m.queries)} statements${m.postgresMs !== undefined ? `; PostgreSQL's processes ${ms(m.postgresMs)} (${core(m.postgresMs)})` : ''}` : 'not measured',
    );
  perHour('a night hour 01:00–05:00 (feed polls only; mean)', mean(nights));
  perHour('an ordinary working hour (reminders, 40 commands, check-ins, polls; mean)', mean(work));
  perHour('Monday 07:00–08:00 (quiet hours end: reminders held overnight)', delta(hourOf(0, 7)));
  perHour('Monday 08:00–09:00 (the digest)', delta(hourOf(0, 8)));
  perHour('Monday 09:00–10:00 (the command peak)', delta(hourOf(0, 9)));
  for (const [day, hour, what] of [[1, 10, 'Tuesday 10:00–11:00 (conference 1 invitations)'], [2, 11, 'Wednesday 11:00–12:00 (conference 2)'], [3, 13, 'Thursday 13:00–14:00 (conference 3)']] as const) perHour(what, delta(hourOf(day, hour)));
  const first = hourly[0];
  const last = hourly[hourly.length - 1];
  report.row(
    name('the whole week: service CPU, statements, peak RSS; PostgreSQL\'s CPU; the load generator\'s CPU'),
    first && last
      ? `${s(last.cpuMs - first.cpuMs)} CPU (${(((last.cpuMs - first.cpuMs) / (WEEK_MS / x.rate)) * 100).toFixed(0)}% of a core), ${int(last.queries - first.queries)} statements, RSS ${Math.round(Math.max(...hourly.map((h) => h.rss), x.finished.rss) / 1e6)} MB; ${first.postgresMs !== undefined && last.postgresMs !== undefined ? `PostgreSQL ${s(last.postgresMs - first.postgresMs)}` : 'PostgreSQL not measured (in the service on PGlite, or no /proc)'}; generator ${s(x.parentCpuMs)}`
      : 'not measured',
  );
  report.note(`national ${label}: load average at the end ${x.load1.map((l) => l.toFixed(2)).join(' / ')}.`);
  report.note(`national ${label}: ${x.finished.namedTexts === null ? 'every statement unnamed (DATABASE_PREPARED_STATEMENTS=off, or PGlite)' : `statements under names (prepared once per connection): ${int(x.finished.namedTexts)} texts of at most ${MAX_NAMED}`}.`);
}

export async function nationalBenchmark(report: Report): Promise<void> {
  const national = generateNational();
  const dir = tempDir('national');
  const files = national.files.map((f) => {
    const file = join(dir, f.name);
    writeFileSync(file, f.yaml);
    return file;
  });
  if (!process.env.BENCH_SKIP_PGLITE) await weekOn(report, 'PGlite', national, files, {});
  const postgres = await postgresUrl();
  if ('skip' in postgres) {
    report.row('national PostgreSQL', `skipped: ${postgres.skip}`, '—', 'skipped');
    return;
  }
  const schema = `bench_national_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  try {
    await admin.query(`create schema ${schema}`);
    report.note(`national: PostgreSQL at ${redact(postgres.url)}, schema ${schema} (dropped afterwards).`);
    await weekOn(report, 'PostgreSQL', national, files, { DATABASE_URL: `${postgres.url}${postgres.url.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}` });
  } finally {
    await admin.query(`drop schema if exists ${schema} cascade`).catch(() => undefined);
    await admin.end();
  }
}

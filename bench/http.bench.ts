/**
 * 3. Serving a team feed of a few kilobytes (issue 17: 2.9 KB, two years of meetings and two activities;
 *    BENCH_HTTP_ACTIVITIES=50 gives the 33 KB feed of issue 2) with autocannon, 50 connections,
 *    no pipelining, against the real service and against nginx (worker_processes auto: one
 *    worker per core) serving the same bytes from disk, for 200s and for 304s, all in the same
 *    run: goal ≥ 0.8× nginx's requests per second. For scale, a bare node:http server with the
 *    same bytes, alone and as two node:cluster workers. The loader is a process of its own
 *    (bench/http-loader.ts) and shares the machine's cores with the server it loads; CPU used
 *    by each side and by other processes is reported.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Options, Result } from 'autocannon';
import { FOCUS_TEAM, TEAMS, tempDir } from './fixtures.js';
import { generateSchedule } from './generate-schedule.js';
import {
  captureTail,
  forkServer,
  freePort,
  httpGet,
  int,
  machineTicks,
  sleep,
  spawn,
  track,
  waitForExit,
  waitForQuiet,
  yesNo,
  type Report,
} from './support.js';

const FEED_PATH = `/calendars/teams/${FOCUS_TEAM}.ics`;
const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const WARMUP_SECONDS = 2;
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 2);
/** How long each run may wait for the machine to be idle first. */
const QUIET_WAIT_MS = 2_000;
const NGINX = process.env.BENCH_NGINX ?? '/usr/sbin/nginx';
/** Activities in the 500-team file: two give the team feed of 2.9 KB. */
const ACTIVITIES = Number(process.env.BENCH_HTTP_ACTIVITIES ?? 2);
const GOAL = 0.8;

interface Target {
  name: string;
  url: string;
  etag: string;
  /** Processes whose CPU time is counted as the server's. */
  pids: () => number[];
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  serverCpu?: number;
  /** Server CPU per answer, in µs: what the machine's load moves least. */
  cpuPerRequest?: number;
  loaderCpu: number;
  otherCpu?: number;
  /** Whether the machine was idle before the run started. */
  quiet: boolean;
  problems: string[];
}

export async function httpBenchmark(report: Report): Promise<void> {
  const stops: (() => Promise<void>)[] = [];
  try {
    const schedule = join(tempDir('http-schedule'), `bench-${TEAMS}-teams-${ACTIVITIES}-activities.yaml`);
    writeFileSync(schedule, generateSchedule({ teams: TEAMS, activities: ACTIVITIES }));
    const service = await startChild('service', { DATA_DIR: join(tempDir('http-service'), 'data'), BENCH_SCHEDULE: schedule });
    stops.push(service.stop);
    const loader = await startLoader();
    stops.push(loader.stop);
    const first = await httpGet(service.url + FEED_PATH);
    if (first.status !== 200) throw new Error(`the service answered ${first.status} to GET ${FEED_PATH}`);
    const body = first.body;
    const etag = String(first.headers.etag);
    const revalidated = await httpGet(service.url + FEED_PATH, { 'if-none-match': etag });
    if (revalidated.status !== 304) throw new Error(`the service answered ${revalidated.status}, not 304, to If-None-Match`);
    const events = body.toString('utf8').split('BEGIN:VEVENT').length - 1;
    report.note(
      `http: the feed is ${FEED_PATH} of the service with the 500-team file (${ACTIVITIES} activities) imported: ${(body.length / 1024).toFixed(1)} KB, ${events} VEVENTs. ` +
        `autocannon: ${CONNECTIONS} connections, no pipelining, the same for every server, ${SECONDS} s per run after ${WARMUP_SECONDS} s of warm-up, best of ${ROUNDS} rounds (order rotated), ` +
        `in a process of its own (one thread) on the same ${cpus().length} cores as the servers; every server's bytes and ETag/304 checked before.`,
    );

    const files = tempDir('http-bytes');
    chmodSync(files, 0o755);
    const bodyFile = join(files, 'feed.ics');
    writeFileSync(bodyFile, body);
    const bare = await startChild('bare', { BENCH_BODY: bodyFile, BENCH_ETAG: etag });
    stops.push(bare.stop);
    const clustered = await startChild('cluster', { BENCH_BODY: bodyFile, BENCH_ETAG: etag, BENCH_WORKERS: '2' });
    stops.push(clustered.stop);

    const nginx = await startNginx(body, report);
    if (nginx) stops.push(nginx.stop);

    const targets: Target[] = [
      { name: 'service', url: service.url + FEED_PATH, etag, pids: () => [service.pid] },
      ...(nginx ? [{ name: 'nginx', url: nginx.url + FEED_PATH, etag: nginx.etag, pids: nginx.pids }] : []),
      { name: 'bare node:http', url: bare.url + FEED_PATH, etag, pids: () => [bare.pid] },
      { name: 'bare node:http, 2 cluster workers', url: clustered.url + FEED_PATH, etag, pids: () => [clustered.pid, ...childrenOf(clustered.pid)] },
    ];
    for (const target of targets) await load(loader, target, false, WARMUP_SECONDS); // JIT, connections, caches

    for (const revalidate of [false, true]) {
      const status = revalidate ? 304 : 200;
      // Rounds, with the order of the servers rotated, so a busy moment of the machine does
      // not land on one server only; each server is reported by its best round.
      const runs = new Map<string, Run[]>(targets.map((t) => [t.name, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (let i = 0; i < targets.length; i++) {
          const target = targets[(i + round) % targets.length]!;
          runs.get(target.name)!.push(await load(loader, target, revalidate, SECONDS));
        }
      }
      const best = new Map<string, Run>();
      for (const target of targets) {
        const all = runs.get(target.name)!;
        const top = all.reduce((a, b) => (b.rps > a.rps ? b : a));
        best.set(target.name, top);
        const pct = (x: number) => `${Math.round(x * 100)}%`;
        const cpu =
          top.serverCpu === undefined
            ? ''
            : `; CPU: server ${pct(top.serverCpu)} (${top.cpuPerRequest?.toFixed(1)} µs an answer), loader ${pct(top.loaderCpu)}, other processes ${pct(top.otherCpu ?? 0)}${top.quiet ? '' : ' (machine busy before the run)'}`;
        const rounds = all.length > 1 ? `; rounds ${all.map((r) => int(r.rps)).join(', ')}` : '';
        report.row(`http ${status}: ${target.name}`, `${int(top.rps)} req/s (latency p50 ${top.p50} ms, p99 ${top.p99} ms${cpu}${rounds})`);
        for (const problem of new Set(all.flatMap((r) => r.problems))) report.note(`http ${status} ${target.name}: ${problem}`);
      }
      const ours = best.get('service')!;
      const theirs = best.get('nginx');
      if (!theirs) {
        report.row(
          `http ${status}: service ÷ nginx`,
          `skipped: nginx is not installed at ${NGINX} (apt-get install nginx-light)`,
          `≥ ${GOAL}×`,
          'skipped',
        );
        continue;
      }
      const ratio = ours.rps / theirs.rps;
      const valid = [...runs.get('service')!, ...runs.get('nginx')!].every((r) => r.problems.length === 0);
      report.row(`http ${status}: service ÷ nginx`, `${ratio.toFixed(2)}×`, `≥ ${GOAL}×`, valid ? yesNo(ratio >= GOAL) : 'failed');
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

async function load(loader: Loader, target: Target, revalidate: boolean, seconds: number): Promise<Run> {
  const expected = revalidate ? 304 : 200;
  const calm = await waitForQuiet(QUIET_WAIT_MS);
  const machineBefore = machineTicks();
  const cpuBefore = cpuSeconds(target.pids());
  const started = performance.now();
  const { result, cpuSeconds: loaderSeconds } = await loader.run({
    url: target.url,
    connections: CONNECTIONS,
    pipelining: 1,
    duration: seconds,
    headers: revalidate ? { 'if-none-match': target.etag } : {},
  });
  const wall = (performance.now() - started) / 1000;
  const cpuAfter = cpuSeconds(target.pids());
  const machineAfter = machineTicks();
  const total = Object.values(result.statusCodeStats).reduce((sum, { count }) => sum + count, 0);
  const right = result.statusCodeStats[String(expected)]?.count ?? 0;
  const problems: string[] = [];
  if (total === 0) problems.push('no responses at all');
  else if (right / total < 0.999) problems.push(`only ${right} of ${total} responses were ${expected}: ${JSON.stringify(result.statusCodeStats)}`);
  if (result.errors > 0) problems.push(`${result.errors} errors (${result.timeouts} timeouts)`);
  const serverCpu = cpuBefore !== undefined && cpuAfter !== undefined ? (cpuAfter - cpuBefore) / wall : undefined;
  const loaderCpu = loaderSeconds / wall;
  const machineCpu = machineBefore && machineAfter ? (machineAfter.busy - machineBefore.busy) / 100 / wall : undefined;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ...(serverCpu !== undefined ? { serverCpu } : {}),
    ...(cpuBefore !== undefined && cpuAfter !== undefined && total > 0 ? { cpuPerRequest: ((cpuAfter - cpuBefore) / total) * 1e6 } : {}),
    loaderCpu,
    // What the rest of the machine used meanwhile (other engineers' tests, …), in cores.
    ...(machineCpu !== undefined && serverCpu !== undefined ? { otherCpu: Math.max(0, machineCpu - serverCpu - loaderCpu) } : {}),
    quiet: calm.quiet,
    problems,
  };
}

interface Loader {
  run(options: Options): Promise<{ result: Result; cpuSeconds: number }>;
  stop(): Promise<void>;
}

/** The load generator's process (bench/http-loader.ts), started once for every run. */
async function startLoader(): Promise<Loader> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const child: ChildProcess = track(fork(join(root, 'bench', 'http-loader.ts'), [], { cwd: root, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the load generator exited (${code}) before it was ready`)));
  });
  let next = 0;
  return {
    run: (options) =>
      new Promise((resolve, reject) => {
        const id = ++next;
        const answer = (message: { id: number; result?: Result; cpuSeconds?: number; error?: string }) => {
          if (message.id !== id) return;
          child.off('message', answer);
          if (message.error !== undefined) reject(new Error(`autocannon: ${message.error}`));
          else resolve({ result: message.result!, cpuSeconds: message.cpuSeconds! });
        };
        child.on('message', answer);
        child.send({ id, options });
      }),
    stop: async () => {
      child.disconnect();
      await waitForExit(child, 5000);
    },
  };
}

/** user + system CPU seconds of these processes, from /proc (Linux); undefined elsewhere. */
function cpuSeconds(pids: number[]): number | undefined {
  try {
    let ticks = 0;
    for (const pid of pids) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    }
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .filter((name) => {
        try {
          const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
        } catch {
          return false;
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}

export async function startChild(mode: 'service' | 'bare' | 'cluster', env: Record<string, string>): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const { url, child, stop } = await forkServer('http-service.ts', mode, { ...process.env, ...env });
  return { url, pid: child.pid!, stop };
}

async function startNginx(body: Buffer, report: Report): Promise<{ url: string; etag: string; pids: () => number[]; stop: () => Promise<void> } | undefined> {
  if (!existsSync(NGINX)) {
    report.note(`http: nginx is not installed at ${NGINX}: its comparison is skipped. Install it with \`apt-get install nginx-light\` (or set BENCH_NGINX to its path).`);
    return undefined;
  }
  const dir = tempDir('nginx');
  const www = join(dir, 'www');
  mkdirSync(join(www, 'calendars', 'teams'), { recursive: true });
  mkdirSync(join(dir, 'temp'));
  writeFileSync(join(www, FEED_PATH), body);
  // Workers may run as nobody: let them read the bytes.
  for (const path of [join(dir, '..'), dir, www, join(www, 'calendars'), join(www, 'calendars', 'teams')]) chmodSync(path, 0o755);
  chmodSync(join(www, FEED_PATH), 0o644);
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `# Written by bench/http.bench.ts: nginx serving the service's bytes from disk.
daemon off;
worker_processes auto;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/temp/body;
  proxy_temp_path ${dir}/temp/proxy;
  fastcgi_temp_path ${dir}/temp/fastcgi;
  uwsgi_temp_path ${dir}/temp/uwsgi;
  scgi_temp_path ${dir}/temp/scgi;
  types { text/calendar ics; }
  default_type application/octet-stream;
  charset utf-8;
  charset_types text/calendar;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  etag on;
  server {
    listen 127.0.0.1:${port};
    root ${www};
    location / { add_header Cache-Control "public, max-age=300"; }
  }
}
`,
  );
  const child = track(spawn(NGINX, ['-c', conf, '-p', `${dir}/`, '-e', join(dir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] }));
  const tail = captureTail(child);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill('SIGTERM');
    await waitForExit(child, 5000);
  };
  const errorLog = () => (existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8').trim().split('\n').slice(-5).join(' | ') : '');
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const answer = await httpGet(url + FEED_PATH).catch(() => undefined);
    if (answer?.status === 200) {
      const etag = String(answer.headers.etag);
      const same = answer.body.equals(body);
      const revalidated = await httpGet(url + FEED_PATH, { 'if-none-match': etag });
      if (!same || revalidated.status !== 304) {
        await stop();
        throw new Error(`nginx does not serve the same bytes with ETag/304 (same bytes: ${same}, revalidation: ${revalidated.status})`);
      }
      report.note(`http: nginx ${nginxVersion()} from ${NGINX}, worker_processes auto, access_log off, sendfile on, ETag on; it answers ${answer.headers['content-type']}.`);
      return { url, etag, pids: () => [child.pid!, ...childrenOf(child.pid!)], stop };
    }
    await sleep(50);
  }
  await stop();
  report.note(`http: nginx did not start, so its comparison is skipped: ${tail()} ${errorLog()}`);
  return undefined;
}

function nginxVersion(): string {
  try {
    return spawnSync(NGINX, ['-v'], { encoding: 'utf8' }).stderr.trim().replace(/^nginx version: /, '');
  } catch {
    return '';
  }
}

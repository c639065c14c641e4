/**
 * The schedule page (issue 7): GET / of the real service with the 500-team file imported.
 * Goal: p50 under 20 ms and at least 500 requests a second with autocannon. The first request
 * after a change computes eight weeks of every team's meetings (reported as "cold"); later
 * ones are served from the cache kept per data version and day.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { FOCUS_TEAM, bigScheduleFile, tempDir } from './fixtures.js';
import { startChild } from './http.bench.js';
import { httpGet, int, ms, percentile, yesNo, type Report } from './support.js';

const CONNECTIONS = 10;
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);

export async function schedulePageBenchmark(report: Report): Promise<void> {
  const service = await startChild('service', { DATA_DIR: join(tempDir('schedule-page'), 'data'), BENCH_SCHEDULE: bigScheduleFile() });
  try {
    const t0 = performance.now();
    const first = await httpGet(`${service.url}/`, {}, 30_000);
    const cold = performance.now() - t0;
    if (first.status !== 200) throw new Error(`the service answered ${first.status} to GET /`);
    const items = first.body.toString('utf8').split('<li data-kind=').length - 1;
    report.row('schedule page: first GET / after start (computes 8 weeks of 500 teams)', `${ms(cold)} (${(first.body.length / 1024).toFixed(1)} KB, ${items} items on page 1)`, '—', '—');

    const sequential: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      const answer = await httpGet(`${service.url}/`);
      if (answer.status !== 200) throw new Error(`GET / answered ${answer.status}`);
      sequential.push(performance.now() - t);
    }
    const p50 = percentile(sequential, 50);
    report.row('schedule page: GET /, one request at a time, p50', `${ms(p50)} (p95 ${ms(percentile(sequential, 95))}; 200 requests)`, 'p50 < 20 ms', yesNo(p50 < 20));

    const filtered = await httpGet(`${service.url}/?team=${FOCUS_TEAM}&kind=meeting`, {}, 30_000);
    if (filtered.status !== 200) throw new Error(`the filtered page answered ${filtered.status}`);

    await autocannon({ url: `${service.url}/`, connections: CONNECTIONS, duration: 2 });
    const result = await autocannon({ url: `${service.url}/`, connections: CONNECTIONS, duration: SECONDS });
    const ok = result.statusCodeStats['200']?.count ?? 0;
    report.row(
      `schedule page: GET / under autocannon -c ${CONNECTIONS}, ${SECONDS} s`,
      `${int(result.requests.average)} req/s (latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms; ${ok} answers 200, ${result.errors} errors)`,
      '≥ 500 req/s, p50 < 20 ms',
      yesNo(result.requests.average >= 500 && result.latency.p50 < 20 && result.errors === 0),
    );
  } finally {
    await service.stop();
  }
}

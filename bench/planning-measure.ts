import { performance } from 'node:perf_hooks';

/** Rows added, wall time, this process's CPU and its RSS before and at the peak (sampled every 50 ms). */
export async function measured(work: () => Promise<number>): Promise<{ added: number; ms: number; cpuMs: number; before: number; peak: number }> {
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const started = performance.now();
  const cpu = process.cpuUsage();
  try {
    const added = await work();
    const used = process.cpuUsage(cpu);
    return { added, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, before, peak: Math.max(peak, process.memoryUsage().rss) };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Child process of the HTTP benchmark: the load generator, in a process of its own so that
 * neither the bench's own work nor its timers share autocannon's thread, and so that its CPU
 * is counted apart from everything else. One autocannon instance (one thread, no pipelining)
 * per run, the same options for every server. Asked over IPC, answers over IPC.
 */
import autocannon, { type Options } from 'autocannon';

interface Ask {
  id: number;
  options: Options;
}

process.on('message', (ask: Ask) => {
  const before = process.cpuUsage();
  autocannon(ask.options).then(
    (result) => {
      const cpu = process.cpuUsage(before);
      process.send?.({ id: ask.id, result, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
    },
    (error: unknown) => process.send?.({ id: ask.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });

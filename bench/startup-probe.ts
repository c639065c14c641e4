/**
 * Child of the start-up benchmark: where a restart's time goes. Run on an existing DATA_DIR,
 * it times node + tsx boot, loading the service's modules, opening PGlite, the migration
 * check, and a whole startService() to listening; prints one JSON line. No static imports
 * of the service, so that the first figure is the bare boot.
 */
const boot = performance.now(); // since the process started

async function main(): Promise<Record<string, number>> {
  const t0 = performance.now();
  const { loadConfig } = await import('../src/config.js');
  const { startService } = await import('../src/main.js');
  await import('../src/cli/commands.js');
  const { createLogger } = await import('../src/log.js');
  const { connect } = await import('../adapters/db/connect.js');
  const { migrateToLatest } = await import('../src/db/migrate.js');
  const modules = performance.now() - t0;

  const config = loadConfig({ DATA_DIR: process.env.DATA_DIR, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
  const t1 = performance.now();
  const db = await connect({ pgliteDir: config.dataDir });
  const open = performance.now() - t1;
  const t2 = performance.now();
  await migrateToLatest(db.db);
  const migrate = performance.now() - t2;
  await db.close();

  const t3 = performance.now();
  const service = await startService(config, createLogger('silent'));
  const start = performance.now() - t3;
  await service.stop();
  return { boot, modules, open, migrate, start };
}

main().then(
  (figures) => {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

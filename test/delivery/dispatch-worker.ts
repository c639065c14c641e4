// A dispatcher in its own process, for the multi-process tests: drains the outbox of a
// PostgreSQL schema into the HTTP sink, then exits. Arguments: databaseUrl schema sinkUrl workerId.
import { connect } from '../../adapters/db/connect.js';
import { systemClock } from '../../src/clock.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { createLogger } from '../../src/log.js';
import { sinkSender } from './http-sink.js';

const [databaseUrl, schema, sinkUrl, workerId] = process.argv.slice(2) as [string, string, string, string];
const db = await connect({ databaseUrl, schema, poolSize: 4 });
const dispatcher = new Dispatcher({
  db: db.db,
  clock: systemClock,
  log: createLogger('silent'),
  workerId,
  batchSize: 50,
  // Its claims are advisory locks on a session of its own, which the other workers respect.
  openSession: () => db.openSession!(),
  senders: new Map([['email', sinkSender('email', sinkUrl)]]),
});
process.stdout.write('ready\n');
const report = await dispatcher.drain();
process.stdout.write(`${JSON.stringify(report)}\n`);
// Closes its claim session too: an open connection would keep the process alive.
await dispatcher.stop({ deadlineMs: 1000 });
await db.close();

// One dispatcher replica in its own process: drains a schema's outbox into the sink, then
// prints its report. Arguments: databaseUrl schema sinkUrl workerId batchSize.
import { connect } from '../adapters/db/connect.js';
import { systemClock } from '../src/clock.js';
import { Dispatcher } from '../src/delivery/dispatcher.js';
import { createLogger } from '../src/log.js';
import { sinkSender } from './drain-support.js';

const [databaseUrl, schema, sinkUrl, workerId, batchSize] = process.argv.slice(2) as [string, string, string, string, string];
const db = await connect({ databaseUrl, schema, poolSize: 10 });
const dispatcher = new Dispatcher({ db: db.db, clock: systemClock, log: createLogger('silent'), workerId, batchSize: Number(batchSize), openSession: () => db.openSession!(), senders: new Map([['email', sinkSender(sinkUrl)]]) });
process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
const report = await dispatcher.drain();
process.stdout.write(`${JSON.stringify(report)}\n`);
await dispatcher.stop({ deadlineMs: 1000 });
await db.close();
process.exit(0);

// Reminder planning in its own process, so its peak RSS is the planner's own and not what
// earlier benchmarks left in the bench process. Arguments: databaseUrl schema horizonDays clockIso.
// Prints one JSON line per plan: the first plan, the same again, and the daily re-plan a day later.
import { connect } from '../adapters/db/connect.js';
import { FixedClock } from '../src/clock.js';
import { planReminders } from '../src/reminders/plan-reminders.js';
import { measured } from './planning-measure.js';

const [databaseUrl, schema, days, at] = process.argv.slice(2) as [string, string, string, string];
const db = await connect({ databaseUrl, schema, poolSize: 10 });
const clock = new FixedClock(at);
const plan = () => planReminders(db.db, { clock, horizonDays: Number(days) });
const out = (label: string, result: Awaited<ReturnType<typeof measured>>) => process.stdout.write(`${JSON.stringify({ label, ...result })}\n`);
out('first', await measured(plan));
out('again', await measured(plan));
clock.advance(24 * 3600_000);
out('daily', await measured(plan));
await db.close();
process.exit(0);

import fc from 'fast-check';
import { checkModel, modelRuns } from '../support/model-runs.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { allowedPath, codeAt, comment, manage, PEOPLE, recipientsOf, STAFF, submit, type Model } from './report-model.js';
import { openWorld, type World } from './world.js';

const DAY = 86_400_000;
const runs = modelRuns(40);

/** The real side: the world, people's ids, and how far the dispatcher's results were checked. */
interface Real {
  w: World;
  ids: Map<string, number>;
  checked: number;
  /** How many actions had a write failed. */
  faults: number;
  /** Every escalation sent, with the state the model had then. */
  escalations: { key: string; state: string; age: number }[];
}

/** A person's action: done on the real bot, and what the README says it changes. */
abstract class Act implements fc.AsyncCommand<Model, Real> {
  abstract perform(m: Model, r: Real): Promise<unknown>;
  abstract apply(m: Model): void;
  abstract toString(): string;
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    await this.perform(m, r);
    this.apply(m);
    await verify(m, r);
  }
}

class Submit extends Act {
  constructor(readonly email: string, readonly text: string) { super(); }
  perform = (_m: Model, r: Real) => r.w.say(this.email, 'problem', this.text);
  apply = (m: Model) => submit(m, this.email, this.text);
  toString = () => `submit(${this.email.split('.')[0]}, ${this.text})`;
}
class Manage extends Act {
  constructor(readonly email: string, readonly index: number, readonly action: 'acknowledged' | 'resolved', readonly comment: string | null) { super(); }
  perform = (m: Model, r: Real) =>
    this.action === 'acknowledged' && !this.comment
      ? r.w.press(this.email, 'report:ack', codeAt(m, this.index))
      : r.w.say(this.email, 'zgłoszenie', `${codeAt(m, this.index)} ${this.action === 'acknowledged' ? 'przyjmij' : 'rozwiąż'}${this.comment ? ` ${this.comment}` : ''}`);
  apply = (m: Model) => manage(m, this.email, this.index, this.action, this.comment);
  toString = () => `${this.action}(${this.email.split('.')[0]}, #${this.index}${this.comment ? `, ${this.comment}` : ''})`;
}
class Comment extends Act {
  constructor(readonly email: string, readonly index: number, readonly text: string) { super(); }
  perform = (m: Model, r: Real) => r.w.say(this.email, 'zgłoszenie', `${codeAt(m, this.index)} ${this.text}`);
  apply = (m: Model) => comment(m, this.email, this.index, this.text);
  toString = () => `comment(${this.email.split('.')[0]}, #${this.index}, ${this.text})`;
}

/** The same action with its nth write failed: if the fault fired, nothing changed at all. */
class Faulty implements fc.AsyncCommand<Model, Real> {
  constructor(readonly inner: Act, readonly n: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    r.w.faults.clear();
    r.w.faults.failNth(this.n, { writesOnly: true });
    await this.inner.perform(m, r);
    r.w.faults.clearRules();
    if (r.w.faults.queries.some((q) => q.failed)) r.faults++;
    else this.inner.apply(m);
    await verify(m, r);
  }
  toString = () => `failing write ${this.n} of ${this.inner.toString()}`;
}

class Step implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    m.now += this.ms;
    r.w.clock.advance(this.ms);
  }
  toString = () => `clock +${this.ms / 60_000} min`;
}

class Drain implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    await r.w.drain();
    for (const result of r.w.results.slice(r.checked)) {
      if (result.outcome !== 'sent' || !result.key.includes(':escalate-')) continue;
      const report = m.reports.find((x) => result.key.startsWith(`report:${x.code}:`))!;
      r.escalations.push({ key: result.key, state: report.state, age: m.now - report.createdAt });
    }
    r.checked = r.w.results.length;
    await verify(m, r, true);
  }
  toString = () => 'drain';
}

/** The database and what was sent, against the model, in the README's words. */
async function verify(m: Model, r: Real, drained = false): Promise<void> {
  const db = r.w.db.db;
  const rows = await db.selectFrom('problem_reports').select(['id', 'code', 'team_id', 'state', 'reporter_id']).orderBy('code').execute();
  const expected = [...m.reports].sort((a, b) => a.code.localeCompare(b.code));
  // Every accepted submission is one report, numbered per team; nothing else is stored.
  expect(rows.map((x) => [x.code, x.team_id, x.state, x.reporter_id])).toEqual(expected.map((x) => [x.code, x.team, x.state, r.ids.get(x.reporter)]));
  const byPerson = new Map([...r.ids].map(([email, id]) => [id, email]));
  const keys: Record<string, number> = {};
  for (const [i, row] of rows.entries()) {
    const report = expected[i]!;
    const events = await db.selectFrom('report_events').select(['id', 'action', 'person_id', 'comment']).where('report_id', '=', row.id).orderBy('id').execute();
    // "Every change is a report_events row": the audit trail is complete and holds only what happened.
    expect(events.map((e) => [e.action, byPerson.get(e.person_id!), e.comment])).toEqual(report.events.map((e) => [e.action, e.actor, e.comment]));
    expect(allowedPath(events.map((e) => ({ action: e.action, staff: STAFF.some((s) => r.ids.get(s.email) === e.person_id) })))).toBe(true);
    for (const [j, event] of events.entries()) {
      for (const to of recipientsOf(report, j)) {
        const prefix = j === 0 ? `report:${row.code}:new:` : `report:${row.code}:event:${event.id}:`;
        keys[`${prefix}${to === 'reporter' ? 'reporter' : r.ids.get(to)}`] = 1;
      }
    }
  }
  if (!drained) return;
  // Every report reaches every RCPS person exactly once; each change reaches whom it concerns once; nothing else is sent.
  const sent: Record<string, number> = {};
  for (const x of r.w.results) if (x.outcome === 'sent' && /^report:[^:]+:(new|event):/.test(x.key)) sent[x.key] = (sent[x.key] ?? 0) + 1;
  expect(sent).toEqual(keys);
  // Reminders: once each, only while nobody acknowledged or resolved it, never before two working days.
  expect(new Set(r.escalations.map((e) => e.key)).size).toBe(r.escalations.length);
  for (const e of r.escalations) expect([e.key, e.state, e.age >= 2 * DAY]).toEqual([e.key, 'new', true]);
  for (const report of m.reports.filter((x) => x.state === 'new' && m.now - x.createdAt >= 8 * DAY)) {
    for (const stage of ['rcps', 'admin']) expect(r.escalations.some((e) => e.key.startsWith(`report:${report.code}:escalate-${stage}:`)), `${report.code} ${stage}`).toBe(true);
  }
}

const anyone = fc.constantFrom(...PEOPLE.map((p) => p.email));
const member = fc.constantFrom(...PEOPLE.filter((p) => p.team).map((p) => p.email));
const index = fc.nat({ max: 7 });
const reportText = fc.constantFrom('Brak sali na spotkanie', 'pilny Awaria projektora w sali', 'kontrola Zapowiedziana kontrola z urzędu');
const commentText = fc.constantFrom('Sala 12 jest wolna.', 'Proszę o kontakt telefoniczny.');
const staffComment = fc.option(fc.constantFrom('Sala zarezerwowana.', 'Sprawa przekazana dalej.'), { nil: null });
const acts: fc.Arbitrary<Act>[] = [
  fc.tuple(fc.oneof(member, member, anyone), reportText).map(([e, t]) => new Submit(e, t)),
  fc.tuple(anyone, index).map(([e, i]) => new Manage(e, i, 'acknowledged', null)),
  fc.tuple(anyone, index, staffComment).map(([e, i, c]) => new Manage(e, i, 'resolved', c)),
  fc.tuple(anyone, index, commentText).map(([e, i, t]) => new Comment(e, i, t)),
];
const steps: fc.Arbitrary<fc.AsyncCommand<Model, Real>>[] = [
  ...acts,
  ...acts.slice(0, 2),
  fc.tuple(fc.oneof(...acts), fc.integer({ min: 1, max: 6 })).map(([a, n]) => new Faulty(a, n)),
  fc.constantFrom(60_000, 11 * 60_000, DAY, 3 * DAY).map((ms) => new Step(ms)),
  fc.constant(new Drain()),
  fc.constant(new Drain()),
];
const commands = fc.commands(steps, { maxCommands: 30, size: 'max' });

describe.each(dialects)('the problem report state machine against its model, on %s', (kind) => {
  let w: World;
  let ids: Map<string, number>;
  beforeAll(async () => {
    w = await openWorld(kind);
    ids = new Map(await Promise.all(PEOPLE.map(async (p) => [p.email, await w.personId(p.email)] as const)));
  });
  afterAll(async () => w?.close());

  const runFixed = async (cmds: fc.AsyncCommand<Model, Real>[]) => {
    await w.reset();
    const model: Model = { now: w.clock.now().getTime(), reports: [] };
    await fc.asyncModelRun(() => ({ model, real: { w, ids, checked: 0, faults: 0, escalations: [] } }), [...cmds, new Step(9 * DAY), new Drain()]);
  };

  // Found by this suite on the code before the outbox fix (seed 989719333): the report was stored, its messages lost.
  it('a report whose outbox insert (its 4th write) failed is not stored, and the retry reaches RCPS once', async () => {
    const submitted = new Submit('katarzyna.wisniewska@example.org', 'Brak sali na spotkanie');
    await runFixed([new Faulty(submitted, 4), new Drain(), submitted, new Drain()]);
  });

  it('keeps every rule of the README through submissions, answers, comments, failures and clock steps', async () => {
    const seen = { commands: 0, reports: 0, events: 0, sent: 0, faults: 0 };
    await checkModel(
      `report model (${kind})`,
      commands,
      async (cmds) => {
        await w.reset();
        const model: Model = { now: w.clock.now().getTime(), reports: [] };
        const real: Real = { w, ids, checked: 0, faults: 0, escalations: [] };
        await fc.asyncModelRun(() => ({ model, real }), [...cmds, new Step(9 * DAY), new Drain()]);
        seen.commands += [...cmds].length;
        seen.reports += model.reports.length;
        seen.events += model.reports.reduce((n, x) => n + x.events.length, 0);
        seen.sent += w.results.filter((x) => x.outcome === 'sent').length;
        seen.faults += real.faults;
      },
      runs,
    );
    console.info(`report model (${kind}): ${JSON.stringify(seen)} over all runs`);
  }, 240_000);
});

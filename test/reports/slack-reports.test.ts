import { buttonClick, modalSubmission, selected, textInput } from '../adapters/slack/slack-requests.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { createLogger } from '../../src/log.js';
import { dialects } from '../support/databases.js';
import { PUBLIC_URL, slackUsers, startSlackHarness, type SlackHarness } from '../adapters/slack/slack-harness.js';

const { anna, joanna } = slackUsers;
const michal = { id: 'UMICHAL', email: 'michal.dabrowski@example.org' };
const jan = { id: 'UJAN', email: 'jan.kowalski@example.org' };
const barbara = { id: 'UBARBARA', email: 'barbara.kowalczyk@example.org' };

const click = (user: string, actionId: string, value: string) => buttonClick(user, actionId, value, { id: 'CRCPS', name: 'rcps' });

describe.each(dialects)('Status and problem reports over Slack on %s', (kind) => {
  let h: SlackHarness;
  let dispatcher: Dispatcher;
  const db = () => h.db.db;

  beforeAll(async () => {
    h = await startSlackHarness(kind);
    for (const u of [michal, jan, barbara]) h.fake.users.set(u.id, u.email);
    await db().insertInto('service_settings').values({ key: 'rcps_slack_channel', value: 'CRCPS' }).execute();
    // Jan of RCPS works in Slack in this test.
    await db().updateTable('people').set({ channels: JSON.stringify(['slack', 'email']) }).where('email', '=', jan.email).execute();
    dispatcher = new Dispatcher({
      db: db(),
      senders: new Map([['slack', h.adapter.sender]]),
      clock: new FixedClock('2027-01-04T08:00:00Z'),
      log: createLogger('silent'),
      workerId: 'test',
      render: deliveryRenderer(db(), PUBLIC_URL, 's'.repeat(40)),
    });
  });
  afterAll(async () => h?.close());

  const posts = () => h.fake.callsTo('chat.postMessage');

  it('should store a one-line status with person, team and time and thank the member', async () => {
    const response = await h.slack.command(anna.id, 'status Omówiliśmy 3 rodziny, następne spotkanie z kuratorem');
    const body = await response.json();
    expect(body.text).toContain('Status zespołu PZK Łódź – demo został zapisany');
    const rows = await db().selectFrom('status_updates').selectAll().execute();
    expect(rows).toMatchObject([{ team_id: 'lodz', done: 'Omówiliśmy 3 rodziny, następne spotkanie z kuratorem', created_at: new Date('2027-01-04T08:00:00Z') }]);
  });

  it('should open the status form as a modal when "status" comes alone', async () => {
    await h.slack.command(anna.id, 'status', { trigger_id: 'trig-status' });
    const [open] = await h.fake.waitFor('views.open');
    expect(open!.params.view.callback_id).toBe('status');
    expect(open!.params.view.blocks.map((b: { block_id: string }) => b.block_id)).toEqual(['done', 'next', 'people', 'blockers']);
  });

  it('should refuse an empty or too long text and store nothing', async () => {
    const long = await (await h.slack.command(anna.id, `problem ${'ą'.repeat(5001)}`)).json();
    expect(long.text).toContain('Treść jest za długa: ma 5001 znaków');
    const count = await db().selectFrom('problem_reports').select(db().fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  let code = '';

  it('should store a problem with a readable id, confirm it and route it to RCPS marked as audit and urgent', async () => {
    const body = await (await h.slack.command(michal.id, 'problem pilny kontrola: jutro przychodzi kontrola z urzędu marszałkowskiego')).json();
    expect(body.text).toContain('LDZ-2027-001');
    code = 'LDZ-2027-001';
    const report = await db().selectFrom('problem_reports').selectAll().executeTakeFirstOrThrow();
    expect(report).toMatchObject({ code, category: 'audit', urgency: 'urgent', state: 'new', description: 'jutro przychodzi kontrola z urzędu marszałkowskiego' });
    const again = await (await h.slack.command(michal.id, 'problem pilny kontrola: jutro przychodzi kontrola z urzędu marszałkowskiego')).json();
    expect(again.text).toContain('już przyjęliśmy jako');
    expect(await db().selectFrom('problem_reports').select('id').execute()).toHaveLength(1);

    const before = posts().length;
    await dispatcher.drain();
    const sent = posts().slice(before);
    const toChannel = sent.find((p) => p.params.channel === 'CRCPS')!;
    const toJan = sent.find((p) => p.params.channel === jan.id);
    expect(toJan).toBeUndefined(); // Jan has no Slack link yet: his copy fell back to e-mail (off here)
    expect(toChannel.params.text).toContain('KONTROLA/AUDYT · PILNE · Nowe zgłoszenie LDZ-2027-001');
    const actions = JSON.stringify(toChannel.params.blocks);
    expect(actions).toContain('report:ack');
    expect(actions).toContain('report:resolve');
  });

  it('should let nobody but RCPS acknowledge, and hide other teams\' reports', async () => {
    const member = await (await h.slack.command(joanna.id, `report ${code} ack`)).json();
    expect(member.text).toContain('acknowledged and resolved by RCPS staff');
    const other = await (await h.slack.command(barbara.id, `zgłoszenie ${code} rozwiąż`)).json();
    expect(other.text).toContain(`Nie ma zgłoszenia ${code}`);
    const missing = await (await h.slack.command(jan.id, 'zgłoszenie LDZ-2027-999 przyjmij')).json();
    expect(missing.text).toContain('Nie ma zgłoszenia LDZ-2027-999');
    const list = await (await h.slack.command(barbara.id, 'zgłoszenia')).json();
    expect(list.text).toContain('Nie ma zgłoszeń');
    const seen = await (await h.slack.command(joanna.id, 'reports')).json();
    expect(JSON.stringify(seen.blocks)).toContain(code);
    const events = await db().selectFrom('report_events').selectAll().execute();
    expect(events.map((e) => e.action)).toEqual(['created']);
  });

  it('should acknowledge with the button and resolve with the command, telling the reporter each time', async () => {
    const before = posts().length;
    expect((await h.slack.interaction(click(jan.id, 'report:ack', code))).status).toBe(200);
    await h.fake.waitFor('chat.postMessage', before + 1);
    expect((await db().selectFrom('problem_reports').select('state').executeTakeFirstOrThrow()).state).toBe('acknowledged');
    const resolved = await (await h.slack.command(jan.id, `zgłoszenie ${code} rozwiąż Wyjaśnione z urzędem`)).json();
    expect(resolved.text).toContain('rozwiązane');
    await dispatcher.drain();
    const toMichal = posts().slice(before).filter((p) => p.params.channel === michal.id).map((p) => p.params.text);
    // Both became due at the same (frozen) instant, so the dispatcher may send them in either order.
    expect(toMichal).toHaveLength(2);
    expect(toMichal).toEqual(expect.arrayContaining([expect.stringContaining('Zgłoszenie LDZ-2027-001: przyjęte'), expect.stringContaining('Zgłoszenie LDZ-2027-001: rozwiązane\n')]));
    const events = await db().selectFrom('report_events').innerJoin('people', 'people.id', 'report_events.person_id').select(['action', 'comment', 'people.email']).orderBy('report_events.id').execute();
    expect(events).toEqual([
      { action: 'created', comment: null, email: michal.email },
      { action: 'acknowledged', comment: null, email: jan.email },
      { action: 'resolved', comment: 'Wyjaśnione z urzędem', email: jan.email },
    ]);
  });

  it('should store a problem from the modal once, even when Slack delivers the submission twice, and let the coordinator see it', async () => {
    const submission = modalSubmission(michal.id, 'problem', 'trigger-problem-1', {
      category: selected('legal'),
      urgency: selected('normal'),
      description: textInput('Pytanie o podstawę prawną wymiany danych'),
      link: textInput(null),
    });
    const before = posts().length;
    expect(await (await h.slack.interaction(submission)).json()).toEqual({ response_action: 'clear' });
    await h.slack.interaction(submission);
    await h.fake.waitFor('chat.postMessage', before + 1);
    await new Promise((r) => setTimeout(r, 100));
    const answers = posts().slice(before).filter((p) => p.params.channel === michal.id);
    expect(answers).toHaveLength(1);
    expect(answers[0]!.params.text).toContain('LDZ-2027-002');
    expect(await db().selectFrom('problem_reports').select(['code', 'category']).where('code', '=', 'LDZ-2027-002').execute()).toEqual([{ code: 'LDZ-2027-002', category: 'legal' }]);
    const coordinator = await (await h.slack.command(anna.id, 'zgłoszenia')).json();
    expect(JSON.stringify(coordinator.blocks)).toContain('LDZ-2027-002 · prawny · nowe');
    // Only RCPS gets the buttons in the list.
    expect(JSON.stringify(coordinator.blocks)).not.toContain('report:ack');
  });
});

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeConnector } from '../adapters/teams/fake-connector.js';
import { activity, startHarness, type Harness } from '../adapters/teams/harness.js';
import { checkModal } from '../adapters/limits/block-kit-check.js';
import { checkCard } from '../adapters/limits/card-check.js';
import { slackUsers, startSlackHarness, type SlackHarness } from '../adapters/slack/slack-harness.js';
import { buttonClick, modalSubmission, ticked } from '../adapters/slack/slack-requests.js';
import { dialects } from '../support/databases.js';
import type { Db } from '../../src/db/db.port.js';

/**
 * The presence list of Łódź's meeting of Tuesday 22 December 2026, confirmed by its coordinator
 * on 4 January 2027 (the harnesses' clock: a late change, within the 14 days) over Slack (signed
 * requests to the real Bolt receiver) and Teams (the real botbuilder adapter); a member's forged
 * submit records nothing. Marta answered "będę"; nobody else answered.
 */
const MEETING = 'lodz:2026-12-22';
const idOf = async (db: Db, email: string) => (await db.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
const attendance = async (db: Db) =>
  Object.fromEntries((await db.db.selectFrom('attendance').select(['person_id', 'present']).where('day', '=', '2026-12-22').execute()).map((r) => [r.person_id, r.present]));

async function answerMarta(db: Db): Promise<void> {
  // The harness imports the team on 4 January; the list is of members at the meeting: they joined before it.
  await sql`update memberships set created_at = ${new Date('2026-12-01T00:00:00Z')} where team_id = 'lodz'`.execute(db.db);
  await sql`update membership_periods set started_at = ${new Date('2026-12-01T00:00:00Z')} where team_id = 'lodz'`.execute(db.db);
  await db.db
    .insertInto('meeting_answers')
    .values({ team_id: 'lodz', occurrence_date: '2026-12-22', person_id: await idOf(db, 'marta.grabowska@example.org'), answer: 'attending', reason: null, substitute_person_id: null, substitute_email: null, absence_id: null, source: 'chat', answered_at: new Date('2026-12-20T10:00:00Z') })
    .execute();
}

describe.each(dialects)('Presence after a meeting over Slack on %s', (kind) => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness(kind);
    await answerMarta(h.db);
  });
  afterAll(async () => h?.close());

  it('should open a modal of checkboxes in blocks of at most ten, Marta ticked, within Slack limits', async () => {
    const response = await h.slack.interaction(buttonClick(slackUsers.anna.id, 'presence:open', MEETING));
    expect(response.status).toBe(200);
    const [open] = await h.fake.waitFor('views.open');
    const view = open!.params.view as { callback_id: string; blocks: { block_id: string; element: { type: string; options: { value: string; text: { text: string } }[]; initial_options?: { value: string }[] } }[] };
    expect(checkModal(view)).toEqual([]);
    expect(view.callback_id).toBe(`presence:${MEETING}`);
    // Eleven members: ten and one.
    expect(view.blocks.map((b) => [b.block_id, b.element.type, b.element.options.length])).toEqual([
      ['present~0', 'checkboxes', 10],
      ['present~1', 'checkboxes', 1],
    ]);
    const marta = String(await idOf(h.db, 'marta.grabowska@example.org'));
    expect(view.blocks.flatMap((b) => b.element.initial_options ?? []).map((o) => o.value)).toEqual([marta]);
    expect(await attendance(h.db)).toEqual({});
  });

  it('should record the ticked boxes of both blocks as present and the rest absent', async () => {
    const [marta, joanna, michal] = await Promise.all(['marta.grabowska', 'joanna.mazur', 'michal.dabrowski'].map((n) => idOf(h.db, `${n}@example.org`)));
    const response = await h.slack.interaction(modalSubmission(slackUsers.anna.id, `presence:${MEETING}`, 'trig-presence', { 'present~0': ticked(String(marta), String(michal)), 'present~1': ticked(String(joanna)) }));
    expect(await response.json()).toEqual({ response_action: 'clear' });
    const [answer] = await h.fake.waitFor('chat.postMessage');
    expect(answer!.params.text).toContain('Obecność zapisana');
    const rows = await attendance(h.db);
    expect(Object.values(rows).filter(Boolean)).toHaveLength(3);
    expect([rows[marta!], rows[joanna!], rows[michal!]]).toEqual([true, true, true]);
    expect(Object.keys(rows)).toHaveLength(11);
  });

  it('should refuse the button and a forged modal submission of a member, recording nothing', async () => {
    const before = await attendance(h.db);
    await h.slack.interaction(buttonClick(slackUsers.joanna.id, 'presence:open', MEETING));
    const forged = await h.slack.interaction(modalSubmission(slackUsers.joanna.id, `presence:${MEETING}`, 'trig-forged', { 'present~0': ticked() }));
    expect(forged.status).toBe(200);
    const posts = await h.fake.waitFor('chat.postMessage', 3);
    expect(posts.filter((p) => p.params.channel === slackUsers.joanna.id).map((p) => String(p.params.text))).toEqual([
      expect.stringContaining('Presence not saved'),
      expect.stringContaining('Presence not saved'),
    ]);
    expect(h.fake.callsTo('views.open')).toHaveLength(1);
    expect(await attendance(h.db)).toEqual(before);
  });
});

describe.each(dialects)('Presence after a meeting over Teams on %s', (kind) => {
  let h: Harness;
  const anna = { id: '29:anna', aadObjectId: 'aad-anna', email: 'anna.nowak@example.org', name: 'Anna Nowak' };
  const marta = { id: '29:marta', aadObjectId: 'aad-marta', email: 'marta.grabowska@example.org', name: 'Marta Grabowska' };
  const postsTo = (person: { aadObjectId: string }) => h.connector.activities().filter((c) => c.conversationId === `a:personal-${person.aadObjectId}`);

  beforeAll(async () => {
    h = await startHarness(kind);
    h.connector.members.set(marta.id, marta);
    await answerMarta(h.db);
  });
  afterAll(async () => h?.close());

  it('should show a card with a multi-select choice set, Marta chosen, that Microsoft\'s parser accepts', async () => {
    await h.post(activity(h.connector, anna, { value: { actionId: 'presence:open', value: MEETING } }));
    const reply = postsTo(anna).at(-1)!;
    expect(checkCard(reply.body)).toEqual([]);
    const body = JSON.stringify(reply.body.attachments[0].content.body);
    const choiceSet = reply.body.attachments[0].content.body.find((e: { type: string }) => e.type === 'Input.ChoiceSet');
    expect(choiceSet).toMatchObject({ id: 'present', isMultiSelect: true, style: 'expanded', value: String(await idOf(h.db, marta.email)) });
    expect(choiceSet.choices).toHaveLength(11);
    expect(body).toContain('Katarzyna Wiśniewska');
    expect(JSON.stringify(reply.body.attachments[0].content.actions)).toContain(`"formId":"presence:${MEETING}"`);
  });

  it('should record the card submit, and refuse a member\'s forged card submit', async () => {
    const [m, k] = await Promise.all([idOf(h.db, marta.email), idOf(h.db, 'katarzyna.wisniewska@example.org')]);
    await h.post(activity(h.connector, anna, { value: { formId: `presence:${MEETING}`, present: `${m},${k}` } }));
    expect(FakeConnector.cardText(postsTo(anna).at(-1)!)).toContain('2 osoby obecne; 11 zmian.');
    const before = await attendance(h.db);
    expect([before[m], before[k]]).toEqual([true, true]);
    await h.post(activity(h.connector, marta, { value: { formId: `presence:${MEETING}`, present: '' } }));
    expect(FakeConnector.cardText(postsTo(marta).at(-1)!)).toContain('potwierdza jego koordynator(ka) albo RCPS');
    expect(await attendance(h.db)).toEqual(before);
  });
});

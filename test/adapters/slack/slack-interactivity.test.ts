import { buttonClick, modalSubmission, textInput } from './slack-requests.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Form } from '../../../src/ports/channel.port.js';
import { dialects } from '../../support/databases.js';
import { slackUsers, startSlackHarness, type SlackHarness } from './slack-harness.js';

const { anna, joanna } = slackUsers;

const statusForm: Form = {
  id: 'status',
  title: 'Status dla RCPS',
  submitLabel: 'Wyślij',
  fields: [
    { id: 'text', label: 'Co się wydarzyło?', kind: 'textarea', required: true, maxLength: 2000 },
    { id: 'people', label: 'Liczba osób', kind: 'number', required: false },
  ],
};

const homeOpened = (user: string) => ({ type: 'app_home_opened', user, channel: 'D1', tab: 'home', event_ts: '1799999999.000100' });

describe.each(dialects)('Slack events, buttons and modals on %s', (kind) => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness(kind, {
      // The core returns no forms yet: this port double adds one to the real answer of "status".
      wrap: (port) => ({
        ...port,
        handle: async (incoming) => {
          const answer = await port.handle(incoming);
          return incoming.type === 'command' && incoming.command === 'status' ? { ...answer, form: statusForm } : answer;
        },
      }),
    });
  });
  afterAll(async () => h?.close());

  it('should publish the App Home with my next meetings when I open it', async () => {
    const response = await h.slack.event('EvHOME1', homeOpened(anna.id));
    expect(response.status).toBe(200);
    const [publish] = await h.fake.waitFor('views.publish');
    expect(publish!.params.user_id).toBe(anna.id);
    expect(publish!.params.view.type).toBe('home');
    expect(JSON.stringify(publish!.params.view.blocks)).toContain('wtorek, 12 stycznia 2027, 10:00');
    expect(publish!.params.view.blocks.length).toBeLessThanOrEqual(50);
  });

  it('should process an event redelivered with X-Slack-Retry-Num only once', async () => {
    const before = h.fake.callsTo('views.publish').length;
    await h.slack.event('EvTWICE', homeOpened(joanna.id));
    await h.fake.waitFor('views.publish', before + 1);
    // Slack redelivers seconds later; the event is recorded just after its publish returns
    // (slack-listeners.ts onlyFirstDelivery), so a retry sent the moment the publish arrives
    // could overtake that write and be handled twice (seen once on PostgreSQL under load).
    await expect.poll(() => h.bot.seenBefore('slack:EvTWICE')).toBe(true);
    const retry = await h.slack.event('EvTWICE', homeOpened(joanna.id), { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect(retry.status).toBe(200);
    // A later, different event is published after the retry had every chance to be.
    await h.slack.event('EvOTHER', homeOpened(anna.id));
    await h.fake.waitFor('views.publish', before + 2);
    await new Promise((r) => setTimeout(r, 100));
    const publishes = h.fake.callsTo('views.publish').slice(before);
    expect(publishes.map((p) => p.params.user_id)).toEqual([joanna.id, anna.id]);
  });

  it('should hand a button click to the bot as an action and post the answer as a direct message', async () => {
    const before = h.fake.callsTo('chat.postMessage').length;
    const response = await h.slack.interaction(buttonClick(anna.id, 'rsvp:accept', 'warsztaty-2027-1'));
    expect(response.status).toBe(200);
    const posts = await h.fake.waitFor('chat.postMessage', before + 1);
    expect(h.incoming.at(-1)).toMatchObject({ type: 'action', actionId: 'rsvp:accept', value: 'warsztaty-2027-1', from: { channel: 'slack', externalId: anna.id } });
    const post = posts.at(-1)!;
    expect(post.params.channel).toBe(anna.id);
    expect(post.params.text).toBeTruthy();
    expect(Array.isArray(post.params.blocks)).toBe(true);
  });

  it('should ignore clicks on link buttons', async () => {
    const seen = h.incoming.length;
    const response = await h.slack.interaction(buttonClick(anna.id, 'link:0', ''));
    expect(response.status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.incoming.length).toBe(seen);
  });

  it('should open a modal built from the form when the answer to a command has one, and ack empty', async () => {
    const response = await h.slack.command(anna.id, 'status', { trigger_id: 'trigger-status-1' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    const [open] = await h.fake.waitFor('views.open');
    expect(open!.params.trigger_id).toBe('trigger-status-1');
    expect(open!.params.view).toMatchObject({
      type: 'modal',
      callback_id: 'status',
      title: { type: 'plain_text', text: 'Status dla RCPS' },
      submit: { type: 'plain_text', text: 'Wyślij' },
      blocks: [
        { type: 'input', block_id: 'text', optional: false, element: { type: 'plain_text_input', action_id: 'text', multiline: true, max_length: 2000 } },
        { type: 'input', block_id: 'people', optional: true, element: { type: 'number_input', action_id: 'people', is_decimal_allowed: false } },
      ],
    });
  });

  it('should close the modal on submit, hand the values to the bot and post the answer as a direct message', async () => {
    const before = h.fake.callsTo('chat.postMessage').length;
    const payload = modalSubmission(anna.id, 'status', 'trigger-submit-1', { text: textInput('Spotkanie z & <b>szkołą</b>'), people: { type: 'number_input', value: null } });
    const response = await h.slack.interaction(payload);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ response_action: 'clear' });
    const posts = await h.fake.waitFor('chat.postMessage', before + 1);
    expect(h.incoming.at(-1)).toEqual({
      type: 'form',
      from: { channel: 'slack', externalId: anna.id, address: anna.id, email: anna.email },
      formId: 'status',
      values: { text: 'Spotkanie z & <b>szkołą</b>' },
    });
    expect(posts.at(-1)!.params.channel).toBe(anna.id);
  });
});

describe.each(dialects)('a slow Slack command on %s', (kind) => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness(kind, {
      wrap: (port) => ({ ...port, handle: async (i) => (await new Promise((r) => setTimeout(r, 300)), port.handle(i)) }),
      adapter: { ackBudgetMs: 20 },
    });
  });
  afterAll(async () => h?.close());

  it('should ack at once and send the answer to the response_url when the bot is slower than the ack budget', async () => {
    const started = Date.now();
    const response = await h.slack.command(anna.id, 'spotkania', { response_url: `${h.fake.url}/respond/1` });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    expect(Date.now() - started).toBeLessThan(250);
    const [late] = await h.fake.waitFor('/respond/1');
    expect(late!.params.response_type).toBe('ephemeral');
    expect(JSON.stringify(late!.params.blocks)).toContain('wtorek, 12 stycznia 2027, 10:00');
  });
});

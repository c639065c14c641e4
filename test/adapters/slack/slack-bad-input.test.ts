import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../support/databases.js';
import { slackUsers, startSlackHarness, type SlackHarness } from './slack-harness.js';
import { buttonClick, modalSubmission, textInput } from './slack-requests.js';

const { anna } = slackUsers;
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const payload = (json: string) => form({ payload: json });

/** Signed requests whose JSON is not what Slack sends: each must get a 400 and reach nothing. */
const malformed: [string, string, string][] = [
  ['JSON null', 'null', JSON_TYPE],
  ['JSON array', '[]', JSON_TYPE],
  ['JSON array of objects', '[{"type":"event_callback"}]', JSON_TYPE],
  ['JSON number', '1', JSON_TYPE],
  ['JSON string', '"event_callback"', JSON_TYPE],
  ['JSON true', 'true', JSON_TYPE],
  ['not JSON', '{"type":', JSON_TYPE],
  ['empty JSON body', '', JSON_TYPE],
  ['an object with no type', '{}', JSON_TYPE],
  ['payload=null', payload('null'), FORM],
  ['payload=[]', payload('[]'), FORM],
  ['payload=1', payload('1'), FORM],
  ['payload="x"', payload('"x"'), FORM],
  ['payload={}', payload('{}'), FORM],
  ['payload that is not JSON', payload('{nope'), FORM],
  ['an event with event null', JSON.stringify({ type: 'event_callback', event_id: 'EvNULL', event: null }), JSON_TYPE],
  ['an event with no event', JSON.stringify({ type: 'event_callback', event_id: 'EvNONE' }), JSON_TYPE],
  ['an event that is an array', JSON.stringify({ type: 'event_callback', event_id: 'EvARR', event: [] }), JSON_TYPE],
  ['an event with no event_id', JSON.stringify({ type: 'event_callback', event: { type: 'app_home_opened', user: anna.id, tab: 'home' } }), JSON_TYPE],
  ['an app_home_opened with user null', JSON.stringify({ type: 'event_callback', event_id: 'EvU', event: { type: 'app_home_opened', user: null, tab: 'home' } }), JSON_TYPE],
  ['a url_verification with no challenge', JSON.stringify({ type: 'url_verification' }), JSON_TYPE],
  ['block_actions with actions null', payload(JSON.stringify({ ...buttonClick(anna.id, 'rsvp:accept', 'x'), actions: null })), FORM],
  ['block_actions with actions an object', payload(JSON.stringify({ ...buttonClick(anna.id, 'rsvp:accept', 'x'), actions: {} })), FORM],
  ['block_actions with an action null', payload(JSON.stringify({ ...buttonClick(anna.id, 'rsvp:accept', 'x'), actions: [null] })), FORM],
  ['block_actions with no user', payload(JSON.stringify({ ...buttonClick(anna.id, 'rsvp:accept', 'x'), user: undefined })), FORM],
  ['block_actions with a numeric action_id', payload(JSON.stringify({ ...buttonClick(anna.id, 'x', 'x'), actions: [{ type: 'button', action_id: 7, value: 'x' }] })), FORM],
  ['view_submission with view null', payload(JSON.stringify({ ...modalSubmission(anna.id, 'status', 't1', {}), view: null })), FORM],
  ['view_submission with no state', payload(JSON.stringify({ ...modalSubmission(anna.id, 'status', 't2', {}), view: { type: 'modal', callback_id: 'status' } })), FORM],
  ['view_submission with values an array', payload(JSON.stringify({ ...modalSubmission(anna.id, 'status', 't3', {}), view: { type: 'modal', callback_id: 'status', state: { values: [] } } })), FORM],
  ['view_submission with a value null', payload(JSON.stringify(modalSubmission(anna.id, 'status', 't4', { text: null as never }))), FORM],
  ['a command with no text', form({ command: '/pzk', user_id: anna.id, trigger_id: 't', response_url: 'https://hooks.slack.invalid/x' }), FORM],
  ['a command with no user', form({ command: '/pzk', text: 'spotkania', trigger_id: 't', response_url: 'https://hooks.slack.invalid/x' }), FORM],
  ['a command with text twice', 'command=%2Fpzk&user_id=UANNA&text=a&text=b&trigger_id=t&response_url=https%3A%2F%2Fh.invalid', FORM],
];

describe.each(dialects)('Slack requests that are not what Slack sends, on %s', (kind) => {
  let h: SlackHarness;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);

  beforeAll(async () => {
    h = await startSlackHarness(kind);
    process.on('unhandledRejection', onRejection);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    await h?.close();
  });
  afterEach(() => expect(rejections).toEqual([]));

  it.each(malformed)('should answer a signed %s with 400 and hand nothing to the bot', async (_name, body, type) => {
    const seen = h.incoming.length;
    const response = await h.slack.post(body, type);
    expect(response.status).toBe(400);
    await new Promise((r) => setTimeout(r, 20));
    expect(h.incoming.length).toBe(seen);
    // The process and the receiver still answer a real command.
    const command = await h.slack.command(anna.id, 'spotkania');
    expect(command.status).toBe(200);
  });

  it('should answer an unsigned JSON null with 401', async () => {
    const response = await fetch(h.slack.eventsUrl, { method: 'POST', headers: { 'content-type': JSON_TYPE }, body: 'null' });
    expect(response.status).toBe(401);
  });

  it('should still take a modal submitted with a value left empty (null is what Slack sends then)', async () => {
    const response = await h.slack.interaction(modalSubmission(anna.id, 'status', 'trigger-empty', { text: textInput(null) }));
    expect(response.status).toBe(200);
  });

  it('should answer Slack’s ssl_check without a signature', async () => {
    const response = await fetch(h.slack.eventsUrl, { method: 'POST', headers: { 'content-type': FORM }, body: 'ssl_check=1&token=x' });
    expect(response.status).toBe(200);
  });

  it('should refuse a body larger than 1 MB with 413', async () => {
    const response = await h.slack.post(payload(JSON.stringify({ ...buttonClick(anna.id, 'x', 'x'), padding: 'x'.repeat(1024 * 1024) })), FORM);
    expect(response.status).toBe(413);
  });
});

describe.each(dialects)('the Slack timestamp window on %s', (kind) => {
  let h: SlackHarness;
  beforeAll(async () => (h = await startSlackHarness(kind)));
  afterAll(async () => h?.close());
  const now = () => Math.floor(Date.now() / 1000);

  it.each([
    ['6 minutes ahead', 6 * 60],
    ['an hour ahead', 3600],
    ['a year ahead', 365 * 24 * 3600],
    ['6 minutes ago', -6 * 60],
    ['a day ago', -24 * 3600],
  ])('should refuse a request signed with a timestamp %s with 401', async (_name, offset) => {
    const seen = h.incoming.length;
    const response = await h.slack.command(anna.id, 'spotkania', {}, { timestamp: now() + offset });
    expect(response.status).toBe(401);
    expect(h.incoming.length).toBe(seen);
  });

  it.each([
    ['4 minutes ahead', 4 * 60],
    ['4 minutes ago', -4 * 60],
  ])('should take a request signed with a timestamp %s', async (_name, offset) => {
    const response = await h.slack.command(anna.id, 'spotkania', {}, { timestamp: now() + offset });
    expect(response.status).toBe(200);
  });

  it.each([['not a number', 'soon'], ['a fraction', `${Math.floor(Date.now() / 1000)}.5`], ['empty', '']])('should refuse a timestamp that is %s with 401', async (_name, stamp) => {
    const body = form({ command: '/pzk', text: 'spotkania', user_id: anna.id });
    const response = await h.slack.post(body, FORM, { headers: { 'x-slack-request-timestamp': stamp } });
    expect(response.status).toBe(401);
  });
});

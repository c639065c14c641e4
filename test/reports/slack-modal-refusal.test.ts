import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { slackUsers, startSlackHarness, type SlackHarness } from '../adapters/slack/slack-harness.js';
import { modalSubmission, selected, textInput } from '../adapters/slack/slack-requests.js';

const { anna, joanna } = slackUsers;

describe.each(dialects)('A refused Slack modal keeps what was typed on %s', (kind) => {
  let h: SlackHarness;
  const reports = async () => h.db.db.selectFrom('problem_reports').select(['code', 'description', 'link']).orderBy('id').execute();
  const postsTo = (user: string) => h.fake.callsTo('chat.postMessage').filter((p) => p.params.channel === user);

  beforeAll(async () => {
    h = await startSlackHarness(kind);
  });
  afterAll(async () => h?.close());

  it('should answer an empty description with the field error in Polish, keep the modal open and store nothing', async () => {
    const response = await h.slack.interaction(
      modalSubmission(anna.id, 'problem', 'trig-empty', { category: selected('legal'), urgency: selected('normal'), description: textInput('   '), link: textInput(null) }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ response_action: 'errors', errors: { description: 'Proszę wpisać treść (nie może być pusta).' } });
    expect(await reports()).toEqual([]);
    expect(postsTo(anna.id)).toEqual([]);
  });

  it('should name the status field that is too long, with the counts', async () => {
    const response = await h.slack.interaction(
      modalSubmission(anna.id, 'status', 'trig-long', { done: textInput('Spotkanie'), next: textInput('ż'.repeat(5001)), people: { type: 'number_input', value: null }, blockers: textInput(null) }),
    );
    expect(await response.json()).toEqual({
      response_action: 'errors',
      errors: { next: 'Treść jest za długa: ma 5001 znaków, a może mieć najwyżej 5000 znaków. Proszę ją skrócić.' },
    });
    expect(await h.db.db.selectFrom('status_updates').select('id').execute()).toEqual([]);
  });

  it('should answer an English speaker in English, and take the corrected modal once with the answer as a message', async () => {
    const typed = { category: selected('financial'), urgency: selected('urgent'), description: textInput('Invoices for the catering are missing') };
    const refused = await h.slack.interaction(modalSubmission(joanna.id, 'problem', 'trig-link', { ...typed, link: textInput('not a link') }));
    expect(await refused.json()).toEqual({ response_action: 'errors', errors: { link: 'The link must be a full http(s) address, e.g. https://example.org/document.' } });
    expect(await reports()).toEqual([]);

    const accepted = await h.slack.interaction(modalSubmission(joanna.id, 'problem', 'trig-fixed', { ...typed, link: textInput('https://example.org/invoices') }));
    expect(await accepted.json()).toEqual({ response_action: 'clear' });
    const [answer] = await h.fake.waitFor('chat.postMessage');
    expect(answer!.params.channel).toBe(joanna.id);
    expect(answer!.params.text).toContain('LDZ-2027-001');
    expect(await reports()).toEqual([{ code: 'LDZ-2027-001', description: 'Invoices for the catering are missing', link: 'https://example.org/invoices' }]);
  });
});

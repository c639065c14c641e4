import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { buttonClick } from '../adapters/slack/slack-requests.js';
import { dialects } from '../support/databases.js';
import { slackUser, startChannelHarness, type ChannelHarness } from './channel-harness.js';
import { personId, WORKSHOP } from './support.js';

const homeOpened = (user: string) => ({ type: 'app_home_opened', user, channel: 'D1', tab: 'home', event_ts: '1799999999.000100' });

/** A button pressed on the App Home: Slack names the view, not a channel. */
function homeClick(user: string, actionId: string, value: string) {
  const { channel: _channel, container: _container, ...rest } = buttonClick(user, actionId, value);
  return { ...rest, container: { type: 'view', view_id: 'VHOME' }, view: { id: 'VHOME', type: 'home', blocks: [] } };
}

type Block = { type: string; text?: { text: string }; elements?: { action_id: string; value?: string; text: { text: string } }[] };

/** The section of the published home that names an activity, and the buttons right after it. */
function invitationIn(blocks: Block[], title: string) {
  const at = blocks.findIndex((b) => b.type === 'section' && b.text?.text.startsWith(`*${title}*`));
  if (at < 0) throw new Error(`no "${title}" on the App Home: ${JSON.stringify(blocks)}`);
  return { text: blocks[at]!.text!.text, buttons: blocks[at + 1]!.elements ?? [] };
}

describe.each(dialects)('open invitations on the Slack App Home on %s', (kind) => {
  let h: ChannelHarness;
  const lodz1 = slackUser(1);

  beforeAll(async () => {
    h = await startChannelHarness(kind);
    await planInvitations(h.db.db, h.clock);
  });
  afterAll(async () => h?.close());

  const published = async (count: number) => {
    const calls = await h.slackApi.waitFor('views.publish', count);
    const last = calls[count - 1]!;
    expect(last.params.user_id).toBe(lodz1.id);
    expect(last.params.view.type).toBe('home');
    return last.params.view.blocks as Block[];
  };

  it('should show each open invitation with its date, my answer and the answer buttons', async () => {
    const response = await h.slack.event('EvHOMEINV1', homeOpened(lodz1.id));
    expect(response.status).toBe(200);
    const blocks = await published(1);
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(blocks)).toContain('Najbliższe spotkania');
    expect(JSON.stringify(blocks)).toContain('Warsztaty i zaproszenia');
    const workshop = invitationIn(blocks, 'Warsztaty kooperacyjne (wyjazdowe)');
    expect(workshop.text).toContain('środa, 10 marca 2027, 09:00');
    expect(workshop.text).toContain('bez odpowiedzi');
    expect(workshop.buttons.map((b) => [b.action_id, b.value, b.text.text])).toEqual([
      ['rsvp:accept', WORKSHOP, 'Wezmę udział'],
      ['rsvp:maybe', WORKSHOP, 'Może'],
      ['rsvp:decline', WORKSHOP, 'Nie wezmę udziału'],
    ]);
    expect(invitationIn(blocks, 'Szkolenie dla PZK Łódź').text).toContain('sobota, 20 marca 2027, 09:00');
  });

  it('should record an answer given with a button on the home, and publish the home again with it', async () => {
    const response = await h.slack.interaction(homeClick(lodz1.id, 'rsvp:accept', WORKSHOP));
    expect(response.status).toBe(200);
    const blocks = await published(2);
    expect(invitationIn(blocks, 'Warsztaty kooperacyjne (wyjazdowe)').text).toContain('wezmę udział');
    expect(invitationIn(blocks, 'Szkolenie dla PZK Łódź').text).toContain('bez odpowiedzi');
    const id = await personId(h.db.db, lodz1.email);
    expect(await h.db.db.selectFrom('rsvps').select('answer').where('person_id', '=', id).execute()).toEqual([{ answer: 'accepted' }]);
    // The answer itself also reaches the person as a message, as from any other button.
    expect(JSON.stringify((await h.slackApi.waitFor('chat.postMessage')).at(-1)!.params)).toContain('Warsztaty kooperacyjne');
  });

  it('should leave out a cancelled activity', async () => {
    await h.db.db.updateTable('activities').set({ cancelled_at: h.clock.now() }).where('id', '=', 'szkolenie-lodz').execute();
    await h.slack.event('EvHOMEINV2', homeOpened(lodz1.id));
    const blocks = await published(3);
    expect(JSON.stringify(blocks)).not.toContain('Szkolenie dla PZK Łódź');
    expect(JSON.stringify(blocks)).toContain('Warsztaty kooperacyjne (wyjazdowe)');
  });
});

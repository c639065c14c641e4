import { buttonClick } from '../adapters/slack/slack-requests.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../src/ports/channel.port.js';
import { dialects } from '../support/databases.js';
import { slackUser, startChannelHarness, teamsUser, type ChannelHarness } from '../invitations/channel-harness.js';
import { activity as teamsActivity, message as teamsMessage } from '../adapters/teams/harness.js';
import { FakeConnector } from '../adapters/teams/fake-connector.js';

const click = buttonClick;

const HOSTILE = '**Ważne:** zmiana sali <script>alert(1)</script> & <!channel>\n- punkt pierwszy\n- punkt drugi\nSzczegóły: [strona](https://example.org/a?b=1&c=2)';

describe.each(dialects)('announcements on %s', (kind) => {
  let h: ChannelHarness;
  const asRcps = (text: string): Promise<Message> =>
    h.bot.handle({ type: 'command', from: { channel: 'console', email: 'jan.kowalski@example.org' }, command: 'ogłoszenie', text });
  const deliveries = async () => Number((await h.db.db.selectFrom('deliveries').select(h.db.db.fn.countAll<number>().as('n')).where('kind', 'like', 'announcement%').executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    h = await startChannelHarness(kind);
  }, 240_000);
  afterAll(async () => h?.close());

  it('should refuse a member without the role, an empty and an over-long announcement, and a coordinator naming another team; nothing is queued', async () => {
    const member = await (await h.slack.command(slackUser(2).id, 'ogłoszenie Hej wszystkim')).json();
    expect(JSON.stringify(member)).toContain('Ogłoszenia wysyłają koordynatorzy');
    const empty = await (await h.slack.command(slackUser(1).id, 'ogłoszenie   ')).json();
    expect(JSON.stringify(empty)).toContain('Ogłoszenie jest puste');
    const long = await (await h.slack.command(slackUser(1).id, `ogłoszenie ${'x'.repeat(2001)}`)).json();
    expect(JSON.stringify(long)).toContain('ma 2001 znaków, a może mieć najwyżej 2000 znaków');
    const foreign = await (await h.slack.command(slackUser(1).id, 'ogłoszenie @kutno Hej')).json();
    expect(JSON.stringify(foreign)).toContain('tylko w zespołach, które Pani/Pan koordynuje');
    expect((await asRcps('Bez wskazania zespołów')).text).toContain('Proszę wskazać zespoły');
    expect((await asRcps('@nieznany Tekst')).text).toContain('Nie znamy zespołów: nieznany');
    expect(await deliveries()).toBe(0);
    await h.postTeams(teamsMessage(h.connector, teamsUser(2), 'announce Hello'));
    expect(FakeConnector.cardText(h.connector.activities().at(-1)!)).toContain('Ogłoszenia wysyłają koordynatorzy');
  });

  it('should show a preview first, send on confirm to every member and the team channel, escape what is hostile, and report delivery', async () => {
    const preview = await (await h.slack.command(slackUser(1).id, `ogłoszenie ${HOSTILE}`)).json();
    const previewText = JSON.stringify(preview);
    expect(previewText).toContain('Podgląd ogłoszenia');
    expect(previewText).toContain('10 osób');
    expect(previewText).toContain('announce:confirm');
    expect(await deliveries()).toBe(0);
    const id = (await h.db.db.selectFrom('announcements').select('id').where('state', '=', 'draft').executeTakeFirstOrThrow()).id;

    const before = h.slackApi.callsTo('chat.postMessage').length;
    await h.slack.interaction(click(slackUser(1).id, 'announce:confirm', String(id)));
    const [answer] = (await h.slackApi.waitFor('chat.postMessage', before + 1)).slice(before);
    expect(JSON.stringify(answer!.params.blocks)).toContain('Ogłoszenie wychodzi do 10 osób');
    // A second click on the same button sends nothing more.
    await h.slack.interaction(click(slackUser(1).id, 'announce:confirm', String(id)));
    await h.slackApi.waitFor('chat.postMessage', before + 2);
    expect(JSON.stringify(h.slackApi.callsTo('chat.postMessage').at(-1)!.params.blocks)).toContain('zostało już wysłane');
    expect(await deliveries()).toBe(10 + 1 + 1);

    // One member turned e-mail, their only channel, off: the report must name them and say why.
    const lodz6 = (await h.db.db.selectFrom('people').select('id').where('email', '=', 'lodz6@example.org').executeTakeFirstOrThrow()).id;
    await h.db.db.insertInto('preferences').values({ person_id: lodz6, muted_kinds: '[]', muted_channels: '["email"]' }).execute();
    const mailsBefore = h.smtp.mails.length;
    const sent = await h.dispatcher.drain();
    expect(sent.failed).toBe(1);
    const posts = h.slackApi.callsTo('chat.postMessage').slice(before + 2);
    expect(posts.map((p) => p.params.channel).sort()).toEqual(['C0LODZ', 'ULODZ1', 'ULODZ2', 'ULODZ3', 'ULODZ4']);
    const slackText = JSON.stringify(posts[0]!.params.blocks);
    expect(slackText).toContain('*Ważne:*');
    expect(slackText).toContain('&lt;script&gt;');
    expect(slackText).toContain('&lt;!channel&gt;');
    expect(slackText).toContain('<https://example.org/a?b=1&amp;c=2|strona>');
    expect(slackText).toContain('• punkt pierwszy');
    const mails = h.smtp.mails.slice(mailsBefore);
    expect(mails).toHaveLength(5);
    // Mails of one batch are sent side by side, so they arrive in any order: take a Polish reader's.
    const polish = mails.find((m) => m.subject === 'Ogłoszenie: PZK Łódź (Osoba 1 lodz)')!;
    expect(polish, mails.map((m) => m.subject).join(' | ')).toBeDefined();
    expect(polish.html).toContain('<strong>Ważne:</strong>');
    expect(polish.html).not.toContain('<script>');
    expect(polish.html).toContain('&lt;script&gt;');

    // The report comes a few minutes later, counted from the outbox.
    const beforeReport = h.slackApi.callsTo('chat.postMessage').length;
    h.clock.advance(4 * 60_000);
    await h.dispatcher.drain();
    expect(h.slackApi.callsTo('chat.postMessage').length).toBe(beforeReport);
    h.clock.advance(60_000);
    await h.dispatcher.drain();
    const report = h.slackApi.callsTo('chat.postMessage').at(-1)!;
    expect(report.params.channel).toBe('ULODZ1');
    const reportText = JSON.stringify(report.params.blocks);
    expect(reportText).toContain('Raport doręczenia ogłoszenia');
    expect(reportText).toContain('Ogłoszenie dotarło do 9 z 10 odbiorców.');
    expect(reportText).toContain('Slack: 4');
    expect(reportText).toContain('e-mail: 5');
    expect(reportText).toContain('Kanał zespołu (Slack): 1');
    expect(reportText).toContain('Osoba 6 lodz: Odbiorca wyłączył ten kanał w swoich ustawieniach.');
  });

  it('should let RCPS announce to chosen teams and to all, in the terminal with "ogłoszenie potwierdź"', async () => {
    const preview = await asRcps('@kutno,lowicz Szkolenie w przyszłym tygodniu.');
    expect(preview.fields).toContainEqual({ label: 'Odbiorcy', value: '20 osób' });
    const confirmed = await asRcps('potwierdź');
    expect(confirmed.text).toContain('20 osób');
    expect((await asRcps('potwierdź')).text).toContain('Nie ma ogłoszenia czekającego');
    expect((await asRcps('@wszyscy Dla wszystkich')).fields).toContainEqual({ label: 'Odbiorcy', value: '30 osób' });
    expect((await asRcps('anuluj')).title).toBe('Ogłoszenie anulowane');
  });
});

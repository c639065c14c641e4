import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../../adapters/email/render-html.js';
import { renderMessage } from '../../../adapters/slack/render-blocks.js';
import { renderCard } from '../../../adapters/teams/render-card.js';
import type { Db } from '../../../src/db/db.port.js';
import type { ProblemReportRow } from '../../../src/db/tables.js';
import { reportMessage } from '../../../src/reports/staff-report-messages.js';
import { freshDatabase } from '../../support/databases.js';

/**
 * Review of issue 14 (escaping; "Teams card text Markdown injection"). Message.text is light
 * Markdown that every adapter turns into links, and the core puts a member's own words into it
 * unescaped: a problem report's description is the RCPS message's text as typed
 * (reportMessages.newReportText = description => description). Any member can therefore send
 * RCPS a link whose label says one thing and whose address is another, rendered as a real link
 * in the e-mail, in Slack and in Teams: "[Formularz RCPS – logowanie](https://phish.example/)".
 * (The report's own `link` field is shown openly as its URL; the description should be too.)
 */
describe('a member\'s description with a Markdown link, as RCPS reads it', () => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDatabase('pglite');
  });
  afterAll(async () => db?.close());

  const report: ProblemReportRow = {
    id: 1,
    code: 'LODZ-2027-1',
    team_id: 'lodz',
    year: 2027,
    number: 1,
    reporter_id: null,
    category: 'other',
    urgency: 'urgent',
    description: 'Proszę pilnie potwierdzić dane: [Formularz RCPS – logowanie](https://phish.example/login)',
    link: null,
    state: 'new',
    submission_key: 'k',
    created_at: new Date('2027-01-04T08:00:00Z'),
    updated_at: new Date('2027-01-04T08:00:00Z'),
  };

  it('should not turn it into a link labelled by the member, in e-mail, Slack or Teams', async () => {
    const message = await reportMessage(db.db, report, 'pl');
    // Fails today: <a href="https://phish.example/login" …>Formularz RCPS – logowanie</a>
    expect(renderHtml(message)).not.toMatch(/<a href="https:\/\/phish\.example\/login"[^>]*>Formularz/);
    expect(JSON.stringify(renderMessage(message).blocks)).not.toContain('<https://phish.example/login|Formularz');
    expect(JSON.stringify(renderCard(message))).not.toContain('[Formularz RCPS – logowanie](https://phish.example/login)');
  });
});

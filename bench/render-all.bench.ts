/**
 * Issue 14: rendering every message kind with the stress data (60 teams, 500 invitees,
 * 5,000-character texts, long names and links, emoji) for all four channels — Slack Block Kit
 * (and the modal of a form), a Teams card, an e-mail (HTML and plain text) and the terminal —
 * in both languages: under 2 s in all. The first pass is timed cold (in a fresh process:
 * nothing compiled yet), then five more for the median.
 */
import { performance } from 'node:perf_hooks';
import { renderText } from '../adapters/console/render-text.js';
import { composeMail } from '../adapters/email/compose.js';
import { renderMessage } from '../adapters/slack/render-blocks.js';
import { renderModal } from '../adapters/slack/render-modal.js';
import { cardSize, renderCard } from '../adapters/teams/render-card.js';
import { stressMessages } from '../test/adapters/limits/stress-messages.js';
import { ms, percentile, yesNo, type Report } from './support.js';

const RUNS = 5;

export async function renderAllBenchmark(report: Report): Promise<void> {
  const messages = [...stressMessages('pl'), ...stressMessages('en')].map((k) => k.message);
  const channels = { slack: 0, teams: 0, email: 0, console: 0 };
  let largestCard = 0;
  let mostBlocks = 0;
  const pass = (): number => {
    const start = performance.now();
    for (const message of messages) {
      let t = performance.now();
      const slack = renderMessage(message);
      if (message.form) renderModal(message.form, message.language);
      channels.slack += performance.now() - t;
      t = performance.now();
      const card = renderCard(message);
      channels.teams += performance.now() - t;
      t = performance.now();
      composeMail('anna.nowak@example.org', message);
      channels.email += performance.now() - t;
      t = performance.now();
      renderText(message);
      channels.console += performance.now() - t;
      largestCard = Math.max(largestCard, cardSize(card));
      mostBlocks = Math.max(mostBlocks, slack.blocks.length);
    }
    return performance.now() - start;
  };
  const cold = pass();
  const coldChannels = { ...channels };
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) warm.push(pass());
  report.row(
    `render-all: ${messages.length / 2} message kinds × 2 languages × 4 channels, stress data, first pass (cold)`,
    `${ms(cold)} (Slack ${ms(coldChannels.slack)} · Teams ${ms(coldChannels.teams)} · e-mail ${ms(coldChannels.email)} · terminal ${ms(coldChannels.console)})`,
    '< 2 s in all',
    yesNo(cold < 2000),
  );
  report.row(
    '  render-all, warm pass, p50',
    `${ms(percentile(warm, 50))} (max ${ms(Math.max(...warm))}; ${RUNS} passes); largest Teams card ${largestCard.toLocaleString('en-US')} bytes in UTF-16, most Slack blocks ${mostBlocks}`,
  );
}

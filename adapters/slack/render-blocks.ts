import type { types } from '@slack/bolt';
import type { Action, LinkAction, Message } from '../../src/ports/channel.port.js';
import { slackTexts } from './slack-texts.js';

type Block = types.KnownBlock;
type Button = types.Button;

/** What chat.postMessage, an ack or respond() takes: blocks plus the fallback text notifications show. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks): exceeding any gets invalid_blocks. */
export const limits = { blocks: 50, text: 3000, header: 150, buttonText: 75, field: 2000, fields: 10, elements: 25, url: 3000 } as const;

/** Slack reads &, < and > as control characters in mrkdwn and in fallback text. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Light Markdown (src/ports/channel.port.ts) to Slack mrkdwn, escaping first so user text can
 * never become a link or a mention: **b** → *b*, [t](u) → <u|t>, "- " → "• ". _i_ is the same.
 */
export function toMrkdwn(markdown: string): string {
  return escapeMrkdwn(markdown)
    .replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, (_, label: string, url: string) => `<${url}|${label.replace(/\|/g, '¦')}>`)
    .replace(/\*\*(.+?)\*\*/g, '*$1*')
    .replace(/^- /gm, '• ');
}

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const plain = (text: string, max: number): types.PlainTextElement => ({ type: 'plain_text', text: clip(text || ' ', max), emoji: true });
const section = (mrkdwn: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: mrkdwn } });

/** Splits at line ends so every piece fits one section's 3,000 characters. */
function pieces(text: string, max: number = limits.text): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of text.split('\n').map((l) => clip(l, max))) {
    if (current && current.length + 1 + line.length > max) {
      out.push(current);
      current = line;
    } else current = current ? `${current}\n${line}` : line;
  }
  if (current.trim()) out.push(current);
  return out;
}

/** Link buttons report clicks too; their ids say they are only links. */
export const LINK_ACTION_PREFIX = 'link:';

/** action_id must be unique in its block: repeated ids get "~n", removed again by actionIdOf(). */
export function actionIdOf(actionId: string): string {
  return actionId.replace(/~\d+$/, '');
}

function buttons(links: LinkAction[], actions: Action[]): Block[] {
  const seen = new Set<string>();
  const elements: Button[] = [
    ...actions.map((a, i): Button => {
      const id = seen.has(a.id) ? `${a.id}~${i}` : a.id;
      seen.add(id);
      return { type: 'button', action_id: id, value: a.value, text: plain(a.label, limits.buttonText), ...(a.style ? { style: a.style } : {}) };
    }),
    ...links
      .filter((l) => l.url.length <= limits.url)
      .map((l, i): Button => ({ type: 'button', action_id: `${LINK_ACTION_PREFIX}${i}`, url: l.url, text: plain(l.label, limits.buttonText) })),
  ];
  const blocks: Block[] = [];
  for (let i = 0; i < elements.length; i += limits.elements) blocks.push({ type: 'actions', elements: elements.slice(i, i + limits.elements) });
  return blocks;
}

/**
 * A Message as Block Kit: a header, the text, fields, one section (and its buttons) per item,
 * then the message's own links and actions; always with fallback `text`, always within 50 blocks
 * (items that do not fit are counted in a last line instead).
 */
export function renderMessage(message: Message): SlackMessage {
  const head: Block[] = [{ type: 'header', text: plain(message.title, limits.header) }];
  for (const piece of pieces(toMrkdwn(message.text))) head.push(section(piece));
  const fields = message.fields ?? [];
  for (let i = 0; i < fields.length; i += limits.fields) {
    const group = fields.slice(i, i + limits.fields);
    head.push({ type: 'section', fields: group.map((f) => ({ type: 'mrkdwn', text: clip(`*${escapeMrkdwn(f.label)}*\n${toMrkdwn(f.value)}`, limits.field) })) });
  }
  const tail = buttons(message.links ?? [], message.actions ?? []);
  const items = (message.items ?? []).map((item) => [
    section(clip([`*${escapeMrkdwn(item.title)}*`, ...item.lines.map(toMrkdwn)].join('\n'), limits.text)),
    ...buttons(item.links ?? [], item.actions ?? []),
  ]);
  const room = limits.blocks - head.length - tail.length - 1;
  const shown: Block[] = [];
  let count = 0;
  for (const blocks of items) {
    if (shown.length + blocks.length > room) break;
    shown.push(...blocks);
    count += 1;
  }
  const more: Block[] =
    count < items.length ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: slackTexts[message.language].more(items.length - count) }] }] : [];
  const text = clip(`${escapeMrkdwn(message.title)}\n${toMrkdwn(message.text)}`, limits.text);
  return { text, blocks: [...head, ...shown, ...more, ...tail].slice(0, limits.blocks) };
}

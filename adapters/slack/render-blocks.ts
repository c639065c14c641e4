import type { types } from '@slack/bolt';
import type { Language } from '../../src/i18n/messages.js';
import type { Action, LinkAction, Message } from '../../src/ports/channel.port.js';
import { charsSeen, clip, cutAt, fitTexts, moreNote, shorten, splitText, type Shortening } from '../fit.js';

type Block = types.KnownBlock;
type Button = types.Button;

/** What chat.postMessage, an ack or respond() takes: blocks plus the fallback text notifications show. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks): exceeding any gets invalid_blocks. */
export const limits = { blocks: 50, text: 3000, header: 150, buttonText: 75, field: 2000, fields: 10, elements: 25, url: 3000, contextElements: 10 } as const;

/** Slack reads &, < and > as control characters in mrkdwn and in fallback text. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Light Markdown (src/ports/channel.port.ts) to Slack mrkdwn, escaping first so user text can
 * never become a link or a mention: **b** → *b*, [t](u) → <u|t>, "- " → "• ". _i_ is the same.
 */
export function toMrkdwn(markdown: string, language: Language): string {
  return escapeMrkdwn(markdown)
    .replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, (_, label: string, url: string) => inlineLink(label, url, language))
    .replace(/\*\*(.+?)\*\*/g, '*$1*')
    .replace(/^- /gm, '• ');
}

/**
 * A Markdown link as a Slack `<url|label>`. One whose address is over Slack's 3,000 characters
 * would be longer than a section and broken in two, so it is named in the text instead, as a
 * button's link is; a label too long for the section with its address is clipped.
 */
function inlineLink(label: string, url: string, language: Language): string {
  if (url.length > limits.url) return fitTexts[language].linkTooLong(label, limits.url);
  return `<${url}|${clip(label, limits.text - url.length - 3).replace(/\|/g, '¦')}>`;
}

/** Slack's link and escape tokens: a cut never falls inside one, so no `<url|label` stays open. */
export const MRKDWN_TOKENS = /<[^<>\n]*>|&(?:amp|lt|gt);/g;

export { clip };

const plain = (text: string, max: number): types.PlainTextElement => ({ type: 'plain_text', text: clip(text || ' ', max), emoji: true });
const section = (mrkdwn: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: mrkdwn } });
const context = (mrkdwn: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn }] });

const slackLink = (label: string, url: string) => `<${url}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`;
/** What a reader sees of mrkdwn: a link's label (or its address), "&", "<" and ">" for the escapes. */
export function seenOfMrkdwn(mrkdwn: string): string {
  return mrkdwn
    .replace(/<([^<>|\n]*)\|([^<>\n]*)>/g, '$2')
    .replace(/<([^<>\n]*)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
const how = (message: Message): Shortening => ({
  language: message.language,
  fullView: message.fullView,
  link: slackLink,
  protect: MRKDWN_TOKENS,
  seen: seenOfMrkdwn,
});

/** Sections of at most 3,000 characters each, split at line ends: nothing is cut. */
const sections = (mrkdwn: string): string[] => splitText(mrkdwn, limits.text, MRKDWN_TOKENS).filter((p) => p.trim());

/** Links Slack cannot carry (over 3,000 characters) are named in the text instead of vanishing. */
function tooLong(links: LinkAction[], language: Message['language']): string[] {
  return links.filter((l) => l.url.length > limits.url).map((l) => escapeMrkdwn(fitTexts[language].linkTooLong(l.label, limits.url)));
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
 * A Message as Block Kit within Slack's limits, by the rule of adapters/fit.ts: a header, the
 * text over as many sections as it needs, fields, one or more sections (and buttons) per item,
 * then the message's own links and actions; never more than 50 blocks: what does not fit is
 * shortened or counted, "… (jeszcze N)", with the link to the whole where there is one. The
 * fallback `text` (notifications) is at most 3,000 characters, its links closed.
 */
export function renderMessage(message: Message): SlackMessage {
  const shortening = how(message);
  const titleClipped = message.title.length > limits.header;
  const body = [...(titleClipped ? [`*${escapeMrkdwn(message.title)}*`] : []), toMrkdwn(message.text, message.language), ...tooLong(message.links ?? [], message.language)]
    .filter((p) => p.trim())
    .join('\n');
  const fields = message.fields ?? [];
  const fieldBlocks: Block[] = [];
  for (let i = 0; i < fields.length; i += limits.fields) {
    const group = fields.slice(i, i + limits.fields);
    fieldBlocks.push({
      type: 'section',
      fields: group.map((f) => ({ type: 'mrkdwn', text: shorten(`*${escapeMrkdwn(f.label)}*\n${toMrkdwn(f.value, message.language)}`, limits.field, shortening) })),
    });
  }
  const tail = buttons(message.links ?? [], message.actions ?? []);
  // The header, the fields, the buttons and a last note always have room; the text gets the rest.
  const room = limits.blocks - 1 - fieldBlocks.length - tail.length - 1;
  const textBlocks = fitSections(sections(body), room, shortening);
  const head: Block[] = [{ type: 'header', text: plain(message.title, limits.header) }, ...textBlocks, ...fieldBlocks];

  const items = message.items ?? [];
  let free = limits.blocks - head.length - tail.length - 1;
  const shown: Block[] = [];
  let count = 0;
  for (const item of items) {
    // Split only the items that may still be shown: a long list is not split to the end.
    if (free < 1) break;
    const text = sections([`*${escapeMrkdwn(item.title)}*`, ...item.lines.map((line) => toMrkdwn(line, message.language)), ...tooLong(item.links ?? [], message.language)].join('\n'));
    const itemButtons = buttons(item.links ?? [], item.actions ?? []);
    const size = text.length + itemButtons.length;
    if (size <= free) {
      shown.push(...text.map(section), ...itemButtons);
      free -= size;
      count += 1;
      continue;
    }
    // An item too long for what is left: its start, shortened, and the rest counted below.
    if (text.length > free) {
      shown.push(...fitSections(text, free, shortening));
      count += 1;
    }
    break;
  }
  const more = count < items.length ? [context(moreNote('items', items.length - count, shortening))] : [];
  const text = shorten(`${escapeMrkdwn(message.title)}\n${toMrkdwn(message.text, message.language)}`, limits.text, shortening);
  return { text, blocks: [...head, ...shown, ...more, ...tail] };
}

/** At most `room` sections: the first ones whole, the last shortened with what is left counted. */
function fitSections(pieces: string[], room: number, shortening: Shortening): Block[] {
  if (pieces.length <= room) return pieces.map(section);
  const kept = pieces.slice(0, Math.max(room, 1));
  const rest = pieces.slice(kept.length).join('\n');
  const last = kept.pop() ?? '';
  // The last kept piece gives up room for the note; what it loses is counted with the rest.
  const note = moreNote('chars', charsSeen(last, shortening) + 1 + charsSeen(rest, shortening), shortening);
  const lastShort = cutAt(last, limits.text - note.length - 1, MRKDWN_TOKENS).trimEnd();
  const left = charsSeen(last.slice(lastShort.length), shortening) + charsSeen(rest, shortening);
  return [...kept.map(section), section(`${lastShort} ${moreNote('chars', left, shortening)}`)];
}

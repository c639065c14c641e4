import type { Action, Form, FormField, LinkAction, Message, MessageItem } from '../../src/ports/channel.port.js';
import { clip, fitTexts, howManyFit, moreNote, shorten, type Shortening } from '../fit.js';

/**
 * Messages as Adaptive Cards 1.5, the newest version Teams renders on desktop, web and mobile
 * (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-reference).
 * Plain objects only: no botbuilder here, so a move to the Microsoft 365 Agents SDK keeps this file.
 */
export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

type Element = Record<string, unknown>;

export interface CardAttachment {
  contentType: typeof ADAPTIVE_CARD;
  content: Element;
}

/** What goes into sendActivity: the card, and the plain text Teams shows in notifications and the chat list. */
export interface TeamsMessage {
  type: 'message';
  summary: string;
  attachments: CardAttachment[];
}

/** What a Submit button of ours carries back in `activity.value`. */
export type SubmitData = { actionId: string; value: string } | { formId: string };

/**
 * Teams renders TextBlock Markdown (**bold**, _italic_, "- " lists, [text](url)) and reads
 * "<…>" as markup (<at>, HTML). Our light Markdown needs no translation, but user text must not
 * turn into markup: "<" becomes the look-alike "‹".
 */
export function safeText(text: string): string {
  return text.replace(/</g, '‹');
}

/** Adaptive Card Markdown needs a blank line between paragraphs; list items stay on adjacent lines. */
export function toCardMarkdown(text: string): string {
  const lines = safeText(text).split('\n');
  return lines
    .map((line, i) => (i === 0 ? line : /^\s*- /.test(line) && /^\s*- /.test(lines[i - 1]!) ? `\n${line}` : `\n\n${line}`))
    .join('');
}

/** Light Markdown to plain text for the notification line and the card's fallbackText. */
export function plainText(text: string): string {
  return text
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/(^|\s)_(.+?)_(?=\s|$|[.,;:!?])/g, '$1$2')
    .replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, '$1 ($2)');
}

/**
 * Teams refuses a message over about 28 KB, "the entire message payload encoded as UTF-16": bytes,
 * two for each UTF-16 code unit of the JSON (28,672 bytes is 14,336 units). The activity we hand
 * over stays under this many bytes, leaving room for the envelope the connector adds (ids,
 * recipient, conversation).
 */
export const CARD_LIMIT = 26_000;
/** The longest link we put in a button; a longer one is named in the text instead (the same as Slack's limit). */
export const LINK_LIMIT = 3000;
/** A fact's value, and the notification summary, are shortened beyond these. */
const FACT_LIMIT = 2000;
const SUMMARY_LIMIT = 250;

/** Card Markdown's link: a cut never falls inside one. */
const MARKDOWN_LINK = /\[[^\]\n]*\]\([^)\s]*\)/g;
const markdownLink = (label: string, url: string) => `[${label}](${url})`;
const how = (message: Message): Shortening => ({ language: message.language, fullView: message.fullView, link: markdownLink, protect: MARKDOWN_LINK });

const textBlock = (text: string, extra: Element = {}): Element => ({ type: 'TextBlock', text, wrap: true, ...extra });

function submit(action: Action): Element {
  const data: SubmitData = { actionId: action.id, value: action.value };
  const style = action.style === 'primary' ? 'positive' : action.style === 'danger' ? 'destructive' : undefined;
  return { type: 'Action.Submit', title: action.label, data, ...(style ? { style } : {}) };
}

const openUrl = (link: LinkAction): Element => ({ type: 'Action.OpenUrl', title: link.label, url: link.url });

function actionsOf(links: LinkAction[] = [], actions: Action[] = []): Element[] {
  return [...actions.map(submit), ...links.filter((l) => l.url.length <= LINK_LIMIT).map(openUrl)];
}

/** Teams shows at most five actions in a set (its host config's maxActions): more go in further sets. */
export const ACTIONS_PER_SET = 5;
function actionSets(actions: Element[]): Element[] {
  const sets: Element[] = [];
  for (let i = 0; i < actions.length; i += ACTIONS_PER_SET) sets.push({ type: 'ActionSet', actions: actions.slice(i, i + ACTIONS_PER_SET) });
  return sets;
}

/** Links too long for a button, named in the text rather than dropped. */
const tooLong = (links: LinkAction[] = [], language: Message['language']): string[] =>
  links.filter((l) => l.url.length > LINK_LIMIT).map((l) => safeText(fitTexts[language].linkTooLong(l.label, LINK_LIMIT)));

/** An item; with `shownLines` only its first lines and a note of how many are left. */
function itemContainer(item: MessageItem, message: Message, shownLines = item.lines.length): Element {
  const lines = [...item.lines.slice(0, shownLines), ...tooLong(item.links, message.language)];
  if (shownLines < item.lines.length) lines.push(moreNote('items', item.lines.length - shownLines, how(message)));
  const [first, ...rest] = lines;
  const buttons = actionsOf(item.links, item.actions);
  return {
    type: 'Container',
    separator: true,
    spacing: 'Medium',
    items: [
      textBlock(safeText(item.title), { weight: 'Bolder' }),
      ...(first !== undefined ? [textBlock(safeText(first), { spacing: 'Small' })] : []),
      ...rest.map((line) => textBlock(safeText(line), { spacing: 'None', isSubtle: true })),
      ...actionSets(buttons),
    ],
  };
}

function input(field: FormField): Element {
  const common = { id: field.id, label: field.label, isRequired: field.required, ...(field.required ? { errorMessage: field.label } : {}) };
  switch (field.kind) {
    case 'number':
      return { type: 'Input.Number', ...common };
    case 'select':
    case 'multiselect':
      // A multi-select sends its values joined by "," (Adaptive Cards' own way), as the core expects.
      return {
        type: 'Input.ChoiceSet',
        ...common,
        style: field.kind === 'multiselect' ? 'expanded' : 'compact',
        ...(field.kind === 'multiselect' ? { isMultiSelect: true } : {}),
        choices: (field.options ?? []).map((o) => ({ title: o.label, value: o.value })),
        ...(field.value ? { value: field.value } : {}),
      };
    default:
      return {
        type: 'Input.Text',
        ...common,
        isMultiline: field.kind === 'textarea',
        ...(field.maxLength ? { maxLength: field.maxLength } : {}),
        ...(field.value ? { value: field.value } : {}),
      };
  }
}

// The card shows the message's own text above the form, so a form's intro (for platforms that show the form alone) is not repeated.
function formBody(form: Form): { body: Element[]; actions: Element[] } {
  const data: SubmitData = { formId: form.id };
  return {
    body: [
      textBlock(safeText(form.title), { weight: 'Bolder', separator: true }),
      ...(form.intro ? [textBlock(toCardMarkdown(form.intro))] : []),
      ...form.fields.map(input),
    ],
    actions: [{ type: 'Action.Submit', title: form.submitLabel, data, style: 'positive' }],
  };
}

/**
 * A Message as one Adaptive Card, with a short plain-text summary beside it, within Teams's
 * size by the rule of adapters/fit.ts: items that do not fit are counted ("… (jeszcze N)"), a
 * text that does not fit is shortened at a character boundary, with the link to the whole where
 * there is one. The text is carried once: the summary and fallbackText are its first line only.
 */
export function renderCard(message: Message): TeamsMessage {
  const whole = fitted(message);
  if (!message.form || cardSize(whole) <= CARD_LIMIT) return whole;
  // A form is never cut (an option left out would be sent back as unticked: a presence list would
  // record people absent): one too long for the card is replaced by the web form's link (the
  // message's links carry it, e.g. the signed /presence page) and a note saying so.
  const { form: _dropped, ...rest } = message;
  return fitted({ ...rest, text: [message.text, fitTexts[message.language].formTooLong].filter((p) => p.trim()).join('\n\n') });
}

function fitted(message: Message): TeamsMessage {
  const shortening = how(message);
  const items = message.items ?? [];
  const build = (text: string, shownItems: number, partialLines?: number): TeamsMessage => {
    const containers = items.slice(0, shownItems).map((item) => itemContainer(item, message));
    if (partialLines !== undefined) containers.push(itemContainer(items[shownItems]!, message, partialLines));
    const counted = shownItems + (partialLines !== undefined ? 1 : 0);
    const note = counted < items.length ? [textBlock(toCardMarkdown(moreNote('items', items.length - counted, shortening)), { isSubtle: true })] : [];
    return card(message, text, [...containers, ...note]);
  };
  const fits = (m: TeamsMessage) => cardSize(m) <= CARD_LIMIT;
  const fullText = [toCardMarkdown(message.text), ...tooLong(message.links, message.language)].filter((p) => p.trim()).join('\n\n');
  const whole = build(fullText, items.length);
  if (fits(whole)) return whole;

  // The text keeps at least half of what is left when the items take the rest; beyond that it is
  // shortened. Room is in bytes, the text's length in units: two bytes a unit.
  const available = (CARD_LIMIT - cardSize(build('', 0))) / 2;
  const withItems = Math.floor((CARD_LIMIT - cardSize(build('', items.length))) / 2);
  let textMax = Math.max(Math.floor(available / 2), withItems);
  let text = shorten(fullText, Math.min(fullText.length, textMax), shortening);
  while (!fits(build(text, 0)) && textMax > 200) {
    textMax = Math.floor(textMax * 0.8);
    text = shorten(fullText, textMax, shortening);
  }
  const shown = howManyFit(items.length, (k) => fits(build(text, k)));
  if (shown === items.length) return build(text, shown);
  const next = items[shown]!;
  const lines = next.lines.length > 1 ? howManyFit(next.lines.length - 1, (k) => fits(build(text, shown, k))) : 0;
  return lines > 0 ? build(text, shown, lines) : build(text, shown);
}

/** The card around a body of fitted text and item containers. */
function card(message: Message, text: string, itemBlocks: Element[]): TeamsMessage {
  const shortening = how(message);
  const body: Element[] = [textBlock(safeText(message.title), { size: 'Medium', weight: 'Bolder', style: 'heading' })];
  if (text.trim()) body.push(textBlock(text));
  if (message.fields?.length) {
    body.push({
      type: 'FactSet',
      facts: message.fields.map((f) => ({ title: safeText(f.label), value: shorten(safeText(f.value), FACT_LIMIT, { ...shortening, protect: MARKDOWN_LINK }) })),
    });
  }
  body.push(...itemBlocks);
  let actions = actionsOf(message.links, message.actions);
  if (message.form) {
    const form = formBody(message.form);
    body.push(...form.body);
    actions.unshift(...form.actions);
  }
  if (actions.length > ACTIONS_PER_SET) {
    body.push(...actionSets(actions));
    actions = [];
  }
  const summary = summaryOf(message);
  const content: Element = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.5',
    lang: message.language,
    fallbackText: summary,
    msteams: { width: 'Full' },
    body,
    ...(actions.length ? { actions } : {}),
  };
  return { type: 'message', summary, attachments: [{ contentType: ADAPTIVE_CARD, content }] };
}

/** What Teams counts: the JSON of the activity encoded as UTF-16, in bytes (two a code unit). */
export const cardSize = (message: TeamsMessage): number => 2 * JSON.stringify(message).length;

/** The title and the first line of the text: what a notification has room for. */
export function summaryOf(message: Message): string {
  const first = plainText(message.text).split('\n').find((l) => l.trim());
  return clip(safeText(first ? `${message.title}: ${first}` : message.title), SUMMARY_LIMIT);
}

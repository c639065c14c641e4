import type { Action, Form, FormField, LinkAction, Message, MessageItem } from '../../src/ports/channel.port.js';

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

const textBlock = (text: string, extra: Element = {}): Element => ({ type: 'TextBlock', text, wrap: true, ...extra });

function submit(action: Action): Element {
  const data: SubmitData = { actionId: action.id, value: action.value };
  const style = action.style === 'primary' ? 'positive' : action.style === 'danger' ? 'destructive' : undefined;
  return { type: 'Action.Submit', title: action.label, data, ...(style ? { style } : {}) };
}

const openUrl = (link: LinkAction): Element => ({ type: 'Action.OpenUrl', title: link.label, url: link.url });

function actionsOf(links: LinkAction[] = [], actions: Action[] = []): Element[] {
  return [...actions.map(submit), ...links.map(openUrl)];
}

function itemContainer(item: MessageItem): Element {
  const [first, ...rest] = item.lines;
  const buttons = actionsOf(item.links, item.actions);
  return {
    type: 'Container',
    separator: true,
    spacing: 'Medium',
    items: [
      textBlock(safeText(item.title), { weight: 'Bolder' }),
      ...(first !== undefined ? [textBlock(safeText(first), { spacing: 'Small' })] : []),
      ...rest.map((line) => textBlock(safeText(line), { spacing: 'None', isSubtle: true })),
      ...(buttons.length ? [{ type: 'ActionSet', actions: buttons }] : []),
    ],
  };
}

function input(field: FormField): Element {
  const common = { id: field.id, label: field.label, isRequired: field.required, ...(field.required ? { errorMessage: field.label } : {}) };
  switch (field.kind) {
    case 'number':
      return { type: 'Input.Number', ...common };
    case 'select':
      return {
        type: 'Input.ChoiceSet',
        ...common,
        style: 'compact',
        choices: (field.options ?? []).map((o) => ({ title: o.label, value: o.value })),
      };
    default:
      return {
        type: 'Input.Text',
        ...common,
        isMultiline: field.kind === 'textarea',
        ...(field.maxLength ? { maxLength: field.maxLength } : {}),
      };
  }
}

function formBody(form: Form): { body: Element[]; actions: Element[] } {
  const data: SubmitData = { formId: form.id };
  return {
    body: [textBlock(safeText(form.title), { weight: 'Bolder', separator: true }), ...form.fields.map(input)],
    actions: [{ type: 'Action.Submit', title: form.submitLabel, data, style: 'positive' }],
  };
}

/** A Message as one Adaptive Card, with the plain-text summary beside it. */
export function renderCard(message: Message): TeamsMessage {
  const body: Element[] = [textBlock(safeText(message.title), { size: 'Medium', weight: 'Bolder', style: 'heading' })];
  if (message.text.trim()) body.push(textBlock(toCardMarkdown(message.text)));
  if (message.fields?.length) {
    body.push({ type: 'FactSet', facts: message.fields.map((f) => ({ title: safeText(f.label), value: safeText(f.value) })) });
  }
  body.push(...(message.items ?? []).map(itemContainer));
  const actions = actionsOf(message.links, message.actions);
  if (message.form) {
    const form = formBody(message.form);
    body.push(...form.body);
    actions.unshift(...form.actions);
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

/** The title and the first line of the text: what a notification has room for. */
export function summaryOf(message: Message): string {
  const first = plainText(message.text).split('\n').find((l) => l.trim());
  return safeText(first ? `${message.title}: ${first}` : message.title);
}

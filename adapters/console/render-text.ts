import type { Action, Message } from '../../src/ports/channel.port.js';

/** Light Markdown to plain text: **bold** and _italic_ lose their marks, [text](url) becomes "text (url)". */
export function plainMarkdown(text: string): string {
  return text
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/(^|\s)_(.+?)_(?=\s|$|[.,;:!?])/g, '$1$2')
    .replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, '$1 ($2)');
}

/** Every button of a message in the order it is shown: the terminal numbers them from 1. */
export function actionsOf(message: Message): Action[] {
  return [...(message.items ?? []).flatMap((item) => item.actions ?? []), ...(message.actions ?? [])];
}

/**
 * A Message as the terminal (and the plain-text part of an e-mail) shows it. With `numbered`,
 * buttons read "[1] Przyjmuję" in the order of actionsOf, so a number typed presses one.
 */
export function renderText(message: Message, options: { numbered?: boolean } = {}): string {
  let n = 0;
  const button = (a: Action) => (options.numbered ? `[${++n}] ${a.label}` : `[${a.label}]`);
  const out: string[] = [message.title, '='.repeat(Math.min(message.title.length, 60)), plainMarkdown(message.text)];
  for (const field of message.fields ?? []) out.push(`${field.label}: ${plainMarkdown(field.value)}`);
  for (const item of message.items ?? []) {
    out.push('', `• ${item.title}`, ...item.lines.map((l) => `  ${plainMarkdown(l)}`));
    for (const link of item.links ?? []) out.push(`  ${link.label}: ${link.url}`);
    if (item.actions?.length) out.push(`  ${item.actions.map(button).join('  ')}`);
  }
  if (message.links?.length) out.push('', ...message.links.map((l) => `${l.label}: ${l.url}`));
  if (message.actions?.length) out.push('', message.actions.map(button).join('  '));
  return out.join('\n');
}

import type { Message } from '../../src/ports/channel.port.js';

/** Light Markdown to plain text: **bold** and _italic_ lose their marks, [text](url) becomes "text (url)". */
export function plainMarkdown(text: string): string {
  return text
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/(^|\s)_(.+?)_(?=\s|$|[.,;:!?])/g, '$1$2')
    .replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, '$1 ($2)');
}

/** A Message as the terminal (and the plain-text part of an e-mail) shows it. */
export function renderText(message: Message): string {
  const out: string[] = [message.title, '='.repeat(Math.min(message.title.length, 60)), plainMarkdown(message.text)];
  for (const field of message.fields ?? []) out.push(`${field.label}: ${plainMarkdown(field.value)}`);
  for (const item of message.items ?? []) {
    out.push('', `• ${item.title}`, ...item.lines.map((l) => `  ${plainMarkdown(l)}`));
    for (const link of item.links ?? []) out.push(`  ${link.label}: ${link.url}`);
    for (const action of item.actions ?? []) out.push(`  [${action.label}]`);
  }
  if (message.links?.length) out.push('', ...message.links.map((l) => `${l.label}: ${l.url}`));
  if (message.actions?.length) out.push('', message.actions.map((a) => `[${a.label}]`).join('  '));
  return out.join('\n');
}

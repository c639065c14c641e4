import type { LinkAction, Message, MessageItem } from '../../src/ports/channel.port.js';

/**
 * A Message as a small HTML mail: inline styles only (mail clients drop <style> and block
 * remote resources), semantic tags for screen readers, and every piece of text escaped.
 * Buttons that only the chat platforms understand (actions) have no place in a mail and are
 * left out; links become buttons. Only http(s) URLs ever reach an href.
 */
export function renderHtml(message: Message): string {
  const lang = message.language === 'en' ? 'en' : 'pl';
  const body = [
    `<h1 style="${S.h1}">${escapeHtml(message.title)}</h1>`,
    markdownBlocks(message.text),
    fieldsTable(message.fields ?? []),
    ...(message.items ?? []).map(item),
    buttons(message.links ?? []),
    message.preferencesUrl ? footer(message.preferencesUrl, lang) : '',
  ].filter(Boolean);
  return [
    '<!DOCTYPE html>',
    `<html lang="${lang}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(message.title)}</title></head>`,
    `<body style="${S.body}">`,
    `<div role="article" aria-label="${escapeHtml(message.title)}" style="${S.card}">`,
    ...body,
    '</div>',
    '</body>',
    '</html>',
  ].join('\n');
}

/** The footer words are the adapter's: the core only hands over the URL. */
const FOOTER = {
  pl: 'Nie chce Pani/Pan dostawać tych wiadomości albo woli Pani/Pan inny kanał?',
  en: 'Rather not get these messages, or prefer another channel?',
} as const;
export const PREFERENCES_LABEL = { pl: 'Ustawienia powiadomień', en: 'Notification settings' } as const;

const S = {
  body: 'margin:0;padding:24px 12px;background:#f3f4f6;',
  card: 'max-width:600px;margin:0 auto;padding:24px;background:#ffffff;border-radius:8px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1f2937;',
  h1: 'margin:0 0 16px;font-size:22px;line-height:1.3;color:#111827;',
  h2: 'margin:24px 0 8px;font-size:18px;line-height:1.3;color:#111827;',
  p: 'margin:0 0 12px;',
  ul: 'margin:0 0 12px;padding-left:24px;',
  table: 'border-collapse:collapse;margin:0 0 16px;width:100%;',
  th: 'text-align:left;vertical-align:top;padding:6px 12px 6px 0;font-weight:bold;color:#374151;white-space:nowrap;',
  td: 'vertical-align:top;padding:6px 0;',
  a: 'color:#1d4ed8;text-decoration:underline;',
  button: 'display:inline-block;margin:0 8px 8px 0;padding:10px 18px;background:#1d4ed8;color:#ffffff;border-radius:6px;text-decoration:none;font-weight:bold;',
  footer: 'margin:32px 0 0;padding-top:16px;border-top:1px solid #e5e7eb;font-size:13px;color:#4b5563;',
} as const;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export const isWebUrl = (url: string): boolean => {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
};

/**
 * An href as the URL standard writes it: "<", ">", '"', spaces and other characters a URL may
 * not hold are percent-encoded (a validator reads the attribute after entities are decoded, so
 * "&lt;" is still a "<" in the URL), then escaped for the attribute.
 */
export function href(url: string): string {
  return escapeHtml(new URL(url).href);
}

/** Paragraphs (lines joined with <br>) and "- " lists; blank lines separate paragraphs. */
export function markdownBlocks(text: string): string {
  const blocks: string[] = [];
  let paragraph: string[] = [];
  let list: string[] = [];
  const flush = () => {
    if (paragraph.length) blocks.push(`<p style="${S.p}">${paragraph.map(inline).join('<br>')}</p>`);
    if (list.length) blocks.push(`<ul style="${S.ul}">${list.map((l) => `<li>${inline(l)}</li>`).join('')}</ul>`);
    paragraph = [];
    list = [];
  };
  for (const line of text.split(/\r?\n/)) {
    const bullet = /^\s*[-*]\s+(.*)$/.exec(line);
    if (bullet) {
      if (paragraph.length) flush();
      list.push(bullet[1]!);
    } else if (line.trim() === '') {
      flush();
    } else {
      if (list.length) flush();
      paragraph.push(line.trim());
    }
  }
  flush();
  return blocks.join('\n');
}

const LINK = /\[([^\]\n]+)\]\(([^)\s]+)\)/g;

/** **bold**, _italic_ and [text](url) within one line; the rest is escaped text. */
export function inline(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    const [whole, label, url] = match as unknown as [string, string, string];
    out += emphasis(text.slice(last, match.index));
    out += isWebUrl(url) ? `<a href="${href(url)}" style="${S.a}">${emphasis(label)}</a>` : emphasis(whole);
    last = match.index + whole.length;
  }
  return out + emphasis(text.slice(last));
}

function emphasis(text: string): string {
  return escapeHtml(text)
    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|\s)_(.+?)_(?=\s|$|[.,;:!?])/g, '$1<em>$2</em>');
}

function fieldsTable(fields: { label: string; value: string }[]): string {
  if (fields.length === 0) return '';
  const rows = fields.map((f) => `<tr><th scope="row" style="${S.th}">${escapeHtml(f.label)}</th><td style="${S.td}">${inline(f.value)}</td></tr>`);
  return `<table style="${S.table}">${rows.join('')}</table>`;
}

function item(entry: MessageItem): string {
  const lines = entry.lines.map((l) => `<p style="${S.p}">${inline(l)}</p>`);
  return [`<h2 style="${S.h2}">${escapeHtml(entry.title)}</h2>`, ...lines, buttons(entry.links ?? [])].filter(Boolean).join('\n');
}

function buttons(links: LinkAction[]): string {
  const usable = links.filter((l) => isWebUrl(l.url));
  if (usable.length === 0) return '';
  return `<p style="${S.p}">${usable.map((l) => `<a href="${href(l.url)}" style="${S.button}">${escapeHtml(l.label)}</a>`).join(' ')}</p>`;
}

function footer(url: string, lang: 'pl' | 'en'): string {
  if (!isWebUrl(url)) return '';
  return `<p style="${S.footer}">${escapeHtml(FOOTER[lang])} <a href="${href(url)}" style="${S.a}">${escapeHtml(PREFERENCES_LABEL[lang])}</a></p>`;
}

import type { ServerResponse } from 'node:http';
import type { Language } from '../../i18n/messages.js';
import { escapeHtml } from '../router.js';

/**
 * The one look of every page the service serves (schedule, personal page, RSVP, web forms):
 * no external fonts, scripts or trackers; colours meet WCAG 2.1 AA contrast (≥ 4.5:1 on
 * white); visible focus; readable on a phone.
 */
const STYLE = `
:root{--ink:#1a1a1a;--muted:#4a4a4a;--link:#0b4f9c;--line:#d0d0d0;--bg:#fff;--accent:#0b4f9c;--ok:#1e6b30;--bad:#a4161a}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:52rem;margin:0 auto;padding:1rem;line-height:1.5;color:var(--ink);background:var(--bg)}
a{color:var(--link)}
a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #f0a500;outline-offset:2px}
header.site{display:flex;justify-content:space-between;align-items:baseline;gap:1rem;flex-wrap:wrap;border-bottom:1px solid var(--line);margin-bottom:1rem}
header.site .brand{font-weight:700;font-size:1.1rem;color:var(--ink);text-decoration:none}
.muted{color:var(--muted)}
.notice{border-left:4px solid var(--accent);padding:.5rem 1rem;background:#f3f6fa}
.notice.ok{border-color:var(--ok)}.notice.bad{border-color:var(--bad)}
label{display:block;font-weight:600;margin-top:1rem}
input,select,textarea{font:inherit;padding:.5rem;border:1px solid #767676;border-radius:4px;width:100%;max-width:36rem}
textarea{min-height:6rem}
button,.button{font:inherit;display:inline-block;padding:.5rem 1rem;margin:.25rem .25rem .25rem 0;border-radius:4px;border:1px solid var(--accent);background:var(--accent);color:#fff;text-decoration:none;cursor:pointer}
button.secondary,.button.secondary{background:#fff;color:var(--accent)}
button.danger{background:var(--bad);border-color:var(--bad)}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
ul.plain{list-style:none;padding:0}
.skip{position:absolute;left:-999px}.skip:focus{position:static}
.filters{display:flex;flex-wrap:wrap;gap:0 1rem;align-items:flex-end}.filters div{flex:1 1 12rem}
ol.events{list-style:none;padding:0}ol.events li{border-bottom:1px solid var(--line);padding:.6rem 0}
.when{font-weight:700;display:block}
.feed{border:1px solid var(--line);border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
.feed ul{padding-left:1.2rem}.feed li{margin:.4rem 0}
.copy-row{display:flex;flex-wrap:wrap;gap:.25rem;align-items:center}.copy-row input{flex:1 1 20rem}
.status-msg{min-height:1.5rem}
nav.pages a{margin-right:1rem}
label.inline{display:inline;font-weight:400;margin:0}input[type=checkbox]{width:auto}
fieldset{border:1px solid var(--line);border-radius:6px;margin:1rem 0}legend{font-weight:600}
`;

export interface PageOptions {
  language: Language;
  /** The document title and the page's only h1. */
  title: string;
  /** The page's main content, built with `html` below. */
  body: SafeHtml;
  /** A link to the same page in the other language, when the page has one. */
  switchLanguageUrl?: string;
  /** Scripts served by the service itself (CSP script-src 'self'); pages must work without them. */
  scripts?: string[];
}

const chrome = {
  pl: { home: 'Harmonogram', other: 'English', skip: 'Przejdź do treści' },
  en: { home: 'Schedule', other: 'Polski', skip: 'Skip to content' },
} as const;

export function renderPage({ language, title, body, switchLanguageUrl, scripts = [] }: PageOptions): string {
  const t = chrome[language];
  const otherLang = language === 'pl' ? 'en' : 'pl';
  const switcher = switchLanguageUrl ? `<a href="${escapeHtml(switchLanguageUrl)}" lang="${otherLang}">${t.other}</a>` : '';
  return `<!doctype html>
<html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – Kooperator</title>
<style>${STYLE}</style>
</head><body>
<a href="#main" class="skip">${t.skip}</a>
<header class="site"><a class="brand" href="/">Kooperator · ${t.home}</a><nav>${switcher}</nav></header>
<main id="main">
<h1>${escapeHtml(title)}</h1>
${body.value}
</main>
${scripts.map((src) => `<script src="${escapeHtml(src)}" defer></script>`).join('')}
</body></html>`;
}

/** Sends a rendered page; pages carry personal data or one-time answers, so nothing is cached. */
export function sendPage(res: ServerResponse, status: number, options: PageOptions): void {
  sendHtml(res, status, renderPage(options));
}

/**
 * Sends an already rendered page (a cached one: pass its bytes and a cache-control). Only
 * scripts of the service itself may run; forms may only post back to it.
 */
export function sendHtml(res: ServerResponse, status: number, page: string | Buffer, cacheControl = 'no-store', extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(page),
    'cache-control': cacheControl,
    // Never to other sites (signed links are in our paths); same-origin keeps the Origin
    // header on our own form posts (with no-referrer Chromium sends "Origin: null").
    'referrer-policy': 'same-origin',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; connect-src 'none'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    ...extra,
  });
  res.end(page);
}

/** HTML known to be safe: made by `html` (which escaped every value) or marked by `raw`. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/**
 * Tagged template that escapes every interpolated value unless it is SafeHtml (another `html`
 * result, or `raw(...)`); arrays are joined. html`<p>${name}</p>` can never inject markup.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += toHtml(value) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}

/** Marks text that is already HTML (a trusted constant); never pass user input. */
export const raw = (text: string): SafeHtml => new SafeHtml(text);

function toHtml(value: unknown): string {
  if (value === undefined || value === null || value === false) return '';
  if (Array.isArray(value)) return value.map(toHtml).join('');
  if (value instanceof SafeHtml) return value.value;
  return escapeHtml(String(value));
}

import type { SchedulePageMessages } from '../../i18n/schedule-page-messages.js';
import { html, type SafeHtml } from '../html/layout.js';

export interface FeedLinks {
  https: string;
  webcal: string;
  google: string;
  outlook: string;
}

/**
 * The ways to subscribe to one feed. Google takes only an http(s) address in `cid` (and
 * refreshes when it likes, every 8–24 h); Outlook on the web's addfromweb wants the address
 * and a name; Apple and Outlook desktop open webcal:// themselves.
 */
export function feedLinks(publicUrl: string, path: string, name: string): FeedLinks {
  const https = `${publicUrl}${path}`;
  return {
    https,
    webcal: https.replace(/^https?:/, 'webcal:'),
    google: `https://calendar.google.com/calendar/render?cid=${encodeURIComponent(https)}`,
    outlook: `https://outlook.office.com/calendar/0/addfromweb?url=${encodeURIComponent(https)}&name=${encodeURIComponent(name)}`,
  };
}

/**
 * One feed's subscribe block. The copy button is added by /assets/copy.js next to every
 * `data-copy` field; without the script the address is still there to select and copy.
 */
export function subscribeBlock(t: SchedulePageMessages, id: string, heading: string, links: FeedLinks, headingLevel: 'h3' | 'h2' = 'h3'): SafeHtml {
  const headingHtml = headingLevel === 'h3' ? html`<h3 id="${id}-h">${heading}</h3>` : html`<h2 id="${id}-h">${heading}</h2>`;
  return html`<section class="feed" aria-labelledby="${id}-h">${headingHtml}
<ul>
<li><a href="${links.webcal}" data-kind="webcal">${t.webcal}</a><br><span class="muted">${t.webcalHelp}</span></li>
<li><a href="${links.google}" data-kind="google">${t.google}</a><br><span class="muted">${t.googleHelp}</span></li>
<li><a href="${links.outlook}" data-kind="outlook">${t.outlook}</a><br><span class="muted">${t.outlookHelp}</span></li>
<li><label for="${id}-url">${t.urlLabel}</label>
<div class="copy-row"><input id="${id}-url" type="url" readonly value="${links.https}" data-copy data-copy-label="${t.copy}" data-copied="${t.copied}"></div>
<span class="muted">${t.urlHelp}</span></li>
</ul></section>`;
}

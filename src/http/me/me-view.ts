import type { PersonRow } from '../../db/tables.js';
import { zoned } from '../../domain/local-time.js';
import { formatDateTime } from '../../i18n/format.js';
import { mePageMessages } from '../../i18n/me-page-messages.js';
import { schedulePageMessages } from '../../i18n/schedule-page-messages.js';
import type { Language } from '../../i18n/messages.js';
import { settingsMessages } from '../../i18n/settings-messages.js';
import { participationMessages } from '../../i18n/participation-messages.js';
import { MUTABLE_KINDS, type Preferences } from '../../preferences/preferences.js';
import { html, type PageOptions, type SafeHtml } from '../html/layout.js';
import { feedLinks, subscribeBlock } from '../schedule/subscribe-links.js';
import { meCertificatesSection, type MeCertificate } from '../../participation/certificates-me.js';

export interface MePageData {
  person: PersonRow;
  language: Language;
  /** The page's own path, /me/{token}: forms post below it. */
  base: string;
  feedPath: string | undefined;
  preferences: Preferences;
  rsvps: { title: string; starts_local: string; timezone: string; answer: string }[];
  /** Current absence periods ("urlop od … do …"). */
  absences?: { id: number; starts_on: string; ends_on: string }[];
  notice?: { ok: boolean; text: string };
  /** Trainings and workshops with the person's presence: a certificate for each (src/participation/certificates-me.ts). */
  certificates?: MeCertificate[];
}

const hours = Array.from({ length: 24 }, (_, h) => h);

export function mePage(d: MePageData, publicUrl: string): PageOptions {
  const t = mePageMessages[d.language];
  const s = schedulePageMessages[d.language];
  const k = settingsMessages[d.language];
  const channels = d.person.channels as string[];
  const checked = (on: boolean) => (on ? html` checked` : '');
  const selected = (on: boolean) => (on ? html` selected` : '');
  const body = html`${d.notice ? html`<p class="notice ${d.notice.ok ? 'ok' : 'bad'}" role="status">${d.notice.text}</p>` : ''}
<section aria-labelledby="feed-h"><h2 id="feed-h">${t.feedHeading}</h2>
<p>${t.feedIntro}</p>
${d.feedPath ? subscribeBlock(s, 'feed-me', t.feedName, feedLinks(publicUrl, d.feedPath, t.feedName)) : html`<p>${t.noFeed}</p>`}
<form method="post" action="${d.base}/feed?lang=${d.language}">
<button type="submit" class="${d.feedPath ? 'secondary' : ''}">${d.feedPath ? t.revokeFeed : t.createFeed}</button>
${d.feedPath ? html`<p class="muted">${t.revokeHelp}</p>` : ''}
</form></section>

<section aria-labelledby="prefs-h"><h2 id="prefs-h">${t.prefsHeading}</h2>
<form method="post" action="${d.base}/preferences?lang=${d.language}">
<input type="hidden" name="shown_kinds" value="${d.preferences.mutedKinds.join(',')}"><input type="hidden" name="shown_channels" value="${d.preferences.mutedChannels.join(',')}"><input type="hidden" name="shown_quiet" value="${d.preferences.quiet.from}-${d.preferences.quiet.to}">
<fieldset><legend>${t.mutedKindsLegend}</legend>
${MUTABLE_KINDS.map((kind) => html`<div><input type="checkbox" id="kind_${kind}" name="kind_${kind}" value="on"${checked(d.preferences.mutedKinds.includes(kind))}> <label for="kind_${kind}" class="inline">${k.kindName(kind)}</label></div>`)}
</fieldset>
<fieldset><legend>${t.mutedChannelsLegend}</legend>
${channels.map((c) => html`<div><input type="checkbox" id="channel_${c}" name="channel_${c}" value="on"${checked(d.preferences.mutedChannels.includes(c as never))}> <label for="channel_${c}" class="inline">${t.channelName(c)}</label></div>`)}
</fieldset>
<div class="filters"><div><label for="quiet_from">${t.quietFrom}</label><select id="quiet_from" name="quiet_from">${hours.map((h) => html`<option value="${h}"${selected(h === d.preferences.quiet.from)}>${h}:00</option>`)}</select></div>
<div><label for="quiet_to">${t.quietTo}</label><select id="quiet_to" name="quiet_to">${hours.map((h) => html`<option value="${h}"${selected(h === d.preferences.quiet.to)}>${h}:00</option>`)}</select></div></div>
<p class="muted">${t.quietHelp}</p>
<button type="submit">${t.save}</button>
</form></section>

<section aria-labelledby="rsvps-h"><h2 id="rsvps-h">${t.rsvpsHeading}</h2>
${d.rsvps.length ? html`<ul>${d.rsvps.map((r) => html`<li>${r.title}, ${formatDateTime(zoned(r.starts_local, r.timezone), d.language)}: <strong>${t.answer(r.answer)}</strong></li>`)}</ul>` : html`<p>${t.noRsvps}</p>`}
</section>
${meCertificatesSection(d.language, d.base, d.certificates ?? [])}

${absenceSection(d)}

<section aria-labelledby="data-h"><h2 id="data-h">${t.dataHeading}</h2>
<p>${t.dataIntro}</p>
<p><a class="button" href="${d.base}/data.json" download>${t.download}</a> <a class="button secondary" href="${d.base}/erase?lang=${d.language}">${t.eraseLink}</a></p>
</section>

<section aria-labelledby="links-h"><h2 id="links-h">${t.endLinksHeading}</h2>
<p>${t.endLinksText}</p>
<form method="post" action="${d.base}/links/end?lang=${d.language}"><button type="submit" class="secondary">${t.endLinksButton}</button></form>
</section>`;
  return { language: d.language, title: t.title(d.person.name), body, switchLanguageUrl: `${d.base}?lang=${d.language === 'pl' ? 'en' : 'pl'}`, scripts: ['/assets/copy.js'] };
}

/** "Urlop od … do …": the periods with a remove button each, and a form to add one (docs/participation.md). */
function absenceSection(d: MePageData): SafeHtml {
  const p = participationMessages[d.language];
  const periods = d.absences ?? [];
  return html`<section aria-labelledby="absence-h"><h2 id="absence-h">${p.absenceTitle}</h2>
${periods.length ? html`<ul>${periods.map((a) => html`<li>${a.starts_on} – ${a.ends_on} <form method="post" action="${d.base}/absence/${String(a.id)}/remove?lang=${d.language}" style="display:inline"><button type="submit" class="secondary">${p.absenceRemoveButton}</button></form></li>`)}</ul>` : html`<p>${p.absenceList([])}</p>`}
<form method="post" action="${d.base}/absence?lang=${d.language}">
<div class="filters"><div><label for="absence_from">${p.absenceFrom}</label><input type="date" id="absence_from" name="from" required></div>
<div><label for="absence_to">${p.absenceTo}</label><input type="date" id="absence_to" name="to" required></div></div>
<button type="submit">${p.absenceAddButton}</button>
</form></section>`;
}

export function erasePage(language: Language, base: string, notice?: string): PageOptions {
  const t = mePageMessages[language];
  const body: SafeHtml = html`${notice ? html`<p class="notice bad" role="alert">${notice}</p>` : ''}<p>${t.eraseText}</p>
<form method="post" action="${base}/erase?lang=${language}">
<div><input type="checkbox" id="confirm" name="confirm" value="yes" required> <label for="confirm" class="inline">${t.eraseConfirm}</label></div>
<button type="submit" class="danger">${t.eraseButton}</button>
</form>
<p><a href="${base}?lang=${language}">${t.title('').replace(/: $/, '')}</a></p>`;
  return { language, title: t.eraseTitle, body };
}

/** The page a confirmation link opens: what it does and one button (a GET, say a mail scanner's, changes nothing). */
export function confirmPage(language: Language, action: string, erase: boolean): PageOptions {
  const t = mePageMessages[language];
  const body: SafeHtml = html`<p>${t.confirmText(erase)}</p>
<form method="post" action="${action}?lang=${language}"><button type="submit" class="${erase ? 'danger' : ''}">${t.confirmButton(erase)}</button></form>`;
  return { language, title: t.confirmTitle(erase), body };
}

export function messagePage(language: Language, title: string, text: string): PageOptions {
  return { language, title, body: html`<p>${text}</p><p><a href="/${language === 'en' ? '?lang=en' : ''}">${schedulePageMessages[language].backToSchedule}</a></p>` };
}

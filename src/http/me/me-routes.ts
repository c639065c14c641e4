import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database, PersonRow } from '../../db/tables.js';
import { issueFeedToken } from '../../feeds/feed-tokens.js';
import { mePageMessages } from '../../i18n/me-page-messages.js';
import type { Language } from '../../i18n/messages.js';
import { askConfirmation } from '../../me/confirmations.js';
import { checkLink, endAllLinks } from '../../me/personal-links.js';
import { verifyLink } from '../../security/signed-links.js';
import { liveFeedToken } from '../../feeds/feed-tokens.js';
import type { ChannelKind } from '../../ports/channel.port.js';
import { changePreferences, LastChannelError } from '../../preferences/change-preferences.js';
import { loadPreferences, MUTABLE_KINDS, type Preferences } from '../../preferences/preferences.js';
import { collectPersonalData } from '../../privacy/personal-data.js';
import { sendPage } from '../html/layout.js';
import { readForm } from '../read-body.js';
import { sameOrigin } from '../same-origin.js';
import { myAttendanceSection } from '../../participation/my-attendance.js';
import type { Route } from '../router.js';
import { attendedActivities, sendCertificates } from '../../participation/certificates.js';
import { meCertificates } from '../../participation/certificates-me.js';
import { proofMessages } from '../../i18n/proof-messages.js';
import { badLinkRoutes, sendBadLink } from './bad-link-page.js';
import { confirmRoutes } from './confirm-routes.js';
import { erasePage, mePage, messagePage } from './me-view.js';
import { addAbsence, currentAbsences, removeAbsence } from '../../participation/absences.js';
import { participationMessages } from '../../i18n/participation-messages.js';

export interface MeRoutesOptions {
  db: Kysely<Database>;
  clock: Clock;
  appSecret: string;
  publicUrl: string;
  /** A change feeds and pages must see now (a new feed token, an erasure). */
  changed?: () => void;
  /** A message was put in the outbox (a confirmation): the delivery loop may send it now. */
  queued?: () => void;
}

type Context = { person: PersonRow; language: Language; base: string; token: string };

/**
 * The personal page, /me/{token}: the token in the path is the credential (src/me/personal-links.ts:
 * random, stored hashed, 30 days, revocable). GETs only read; POSTs change state and then redirect
 * (303) back to the page. What a forwarded link must not do alone (erasure, a new feed link) is
 * only asked for here and done from a confirmation sent to the person's own channels.
 *
 * CSRF: a forged cross-site POST would need the token, which only its owner has (links are
 * never sent to other sites in Referer: referrer-policy same-origin). As a second line, a POST whose Origin
 * header names another site is refused: browsers send Origin on every cross-site form post.
 */
export function meRoutes(options: MeRoutesOptions): Route[] {
  const { db, clock, appSecret, publicUrl } = options;
  const T = '/me/([A-Za-z0-9_-]{43})';
  const route = (method: 'GET' | 'POST', suffix: string, name: string, handler: (req: IncomingMessage, res: ServerResponse, c: Context) => Promise<void>): Route => ({
    method,
    name,
    // A trailing slash (added by mail apps and people) is the same address.
    path: new RegExp(`^${T}${suffix}/?$`),
    handler: async (req, res, [token]) => {
      const asked = new URL(req.url ?? '/', 'http://x').searchParams.get('lang');
      const language: Language | undefined = asked === 'en' || asked === 'pl' ? asked : undefined;
      const check = await checkLink(db, token!, ['me'], clock.now());
      const lang = language ?? 'pl';
      const t = mePageMessages[lang];
      if (!check.ok) return sendBadLink(res, check.status, lang);
      const person = await db.selectFrom('people').selectAll().where('id', '=', check.personId).where('removed_at', 'is', null).executeTakeFirst();
      if (!person) return sendPage(res, 410, messagePage(lang, t.expiredTitle, t.goneText));
      const context = { person, language: language ?? person.language, base: `/me/${token}`, token: token! };
      if (method === 'POST' && !sameOrigin(req, publicUrl)) {
        const tt = mePageMessages[context.language];
        return sendPage(res, 403, messagePage(context.language, tt.forbiddenTitle, tt.forbiddenText));
      }
      // A body too large or not a form is answered by the server (413/400, refusal-page.ts).
      await handler(req, res, context);
    },
  });

  const show = async (res: ServerResponse, c: Context, status = 200, notice?: { ok: boolean; text: string }) => {
    const token = await liveFeedToken(db, c.person.id, appSecret);
    const rsvps = await db
      .selectFrom('rsvps')
      .innerJoin('activities', 'activities.id', 'rsvps.activity_id')
      .select(['activities.title', 'activities.starts_local', 'activities.timezone', 'rsvps.answer'])
      .where('rsvps.person_id', '=', c.person.id)
      .orderBy('activities.starts_at')
      .execute();
    const preferences = await loadPreferences(db, c.person.id);
    const attendance = await myAttendanceSection(db, c.person.id, c.language);
    const certificates = await meCertificates(db, c.person.id);
    const absences = await currentAbsences(db, c.person.id, clock);
    const data = { person: c.person, language: c.language, base: c.base, feedPath: token ? `/calendars/u/${token}.ics` : undefined, preferences, rsvps, certificates, absences, attendance };
    sendPage(res, status, mePage(notice ? { ...data, notice } : data, publicUrl));
  };
  const confirmationSent = async (res: ServerResponse, c: Context, action: 'erase' | 'feed') => {
    await askConfirmation(db, appSecret, c.person, action, clock.now());
    options.queued?.();
    const t = mePageMessages[c.language];
    sendPage(res, 200, messagePage(c.language, t.confirmSentTitle, t.confirmSentText(c.person.channels as string[])));
  };
  const back = (res: ServerResponse, c: Context, done: string) => {
    res.writeHead(303, { location: `${c.base}?done=${done}&lang=${c.language}`, 'cache-control': 'no-store' });
    res.end();
  };

  return [
    route('GET', '', 'me_page', async (req, res, c) => {
      const done = new URL(req.url ?? '/', 'http://x').searchParams.get('done');
      const t = mePageMessages[c.language];
      const notice = done === 'feed' ? t.feedRenewed : done === 'preferences' ? t.saved : done === 'certificate' ? proofMessages[c.language].meSent : undefined;
      await show(res, c, 200, notice ? { ok: true, text: notice } : undefined);
    }),
    route('POST', '/feed', 'me_feed', async (_req, res, c) => {
      // A first link takes nothing from anyone; replacing one (and so cutting off its calendar) needs a confirmation.
      if (await liveFeedToken(db, c.person.id, appSecret)) return confirmationSent(res, c, 'feed');
      await issueFeedToken(db, c.person.id, appSecret, clock);
      options.changed?.();
      back(res, c, 'feed');
    }),
    route('POST', '/links/end', 'me_links_end', async (_req, res, c) => {
      await endAllLinks(db, c.person.id, clock.now());
      options.changed?.();
      const t = mePageMessages[c.language];
      sendPage(res, 200, messagePage(c.language, t.linksEndedTitle, t.linksEndedText));
    }),
    route('POST', '/preferences', 'me_preferences', async (req, res, c) => {
      const form = await readForm(req);
      const t = mePageMessages[c.language];
      const own = c.person.channels as ChannelKind[];
      const current = shownPreferences(form, own) ?? (await loadPreferences(db, c.person.id));
      const next: Preferences = {
        mutedKinds: MUTABLE_KINDS.filter((k) => form[`kind_${k}`] === 'on'),
        mutedChannels: own.filter((ch) => form[`channel_${ch}`] === 'on'),
        quiet: { from: Number(form.quiet_from), to: Number(form.quiet_to) },
      };
      const hour = (h: number) => Number.isInteger(h) && h >= 0 && h <= 23;
      if (!hour(next.quiet.from) || !hour(next.quiet.to) || next.quiet.from === next.quiet.to) return show(res, c, 400, { ok: false, text: t.badQuiet });
      if (own.length > 0 && own.every((ch) => next.mutedChannels.includes(ch))) return show(res, c, 400, { ok: false, text: t.lastChannel });
      try {
        await changePreferences(db, c.person.id, current, next, clock);
      } catch (error) {
        // Another change muted the remaining channels meanwhile: nothing of this one is stored.
        if (error instanceof LastChannelError) return show(res, c, 400, { ok: false, text: t.lastChannel });
        throw error;
      }
      back(res, c, 'preferences');
    }),
    route('POST', '/certificate', 'me_certificate', async (req, res, c) => {
      // The person's own certificate, sent through the outbox as the command sends it (docs/participation.md).
      const form = await readForm(req);
      const [attended] = await attendedActivities(db, c.person.id, form.activity ?? '');
      if (!attended) return show(res, c, 404, { ok: false, text: proofMessages[c.language].meNotAttended });
      await sendCertificates(db, { activityId: attended.activity.id, personIds: [c.person.id], mode: 'request', now: clock.now() });
      options.queued?.();
      back(res, c, 'certificate');
    }),
    route('POST', '/absence', 'me_absence_add', async (req, res, c) => {
      const form = await readForm(req);
      const p = participationMessages[c.language];
      const added = await addAbsence(db, c.person.id, form.from ?? '', form.to ?? '', clock);
      if (!added.ok) return show(res, c, 400, { ok: false, text: added.code === 'too_long' ? p.absenceTooLong(added.maxDays) : p.absenceBad });
      options.changed?.();
      await show(res, c, 200, { ok: true, text: p.absenceAdded(form.from!, form.to!, added.answered) });
    }),
    route('POST', '/absence/(\\d{1,9})/remove', 'me_absence_remove', async (req, res, c) => {
      const id = Number(/\/absence\/(\d+)\/remove/.exec(req.url ?? '')?.[1]);
      const p = participationMessages[c.language];
      const removed = await removeAbsence(db, c.person.id, id, clock);
      if (!removed.ok) return show(res, c, 404, { ok: false, text: p.absenceUnknown });
      options.changed?.();
      await show(res, c, 200, { ok: true, text: p.absenceRemoved(removed.startsOn, removed.endsOn, removed.withdrawn) });
    }),
    route('GET', '/data\\.json', 'me_data', async (_req, res, c) => {
      const body = Buffer.from(JSON.stringify(await collectPersonalData(db, c.person.id, clock), null, 2), 'utf8');
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': body.length,
        'content-disposition': `attachment; filename="kooperator-moje-dane-${clock.now().toISOString().slice(0, 10)}.json"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      res.end(body);
    }),
    route('GET', '/erase', 'me_erase_form', async (_req, res, c) => sendPage(res, 200, erasePage(c.language, c.base))),
    route('POST', '/erase', 'me_erase', async (req, res, c) => {
      const form = await readForm(req);
      const t = mePageMessages[c.language];
      if (form.confirm !== 'yes') return sendPage(res, 400, erasePage(c.language, c.base, t.eraseNeedsConfirm));
      await confirmationSent(res, c, 'erase');
    }),
    ...confirmRoutes(options),
    {
      // The signed links of before (30 days, not revocable) open nothing any more; their owners are told to ask for a new one.
      method: 'GET',
      name: 'me_signed_link',
      path: /^\/me\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/,
      handler: async (req, res, [token]) => {
        const asked = new URL(req.url ?? '/', 'http://x').searchParams.get('lang');
        const lang: Language = asked === 'en' ? 'en' : 'pl';
        sendBadLink(res, verifyLink(appSecret, token!, 'me', new Date(0)).ok ? 410 : 404, lang);
      },
    },
    ...badLinkRoutes,
  ];
}

/**
 * What the page showed when it was opened (its hidden fields): saving changes only what the
 * person changed from that, so a one-click unsubscribe made meanwhile is not undone.
 */
function shownPreferences(form: Record<string, string>, own: ChannelKind[]): Preferences | undefined {
  if (form.shown_kinds === undefined || form.shown_channels === undefined) return undefined;
  const list = (value: string) => value.split(',').filter(Boolean);
  const quiet = /^(\d{1,2})-(\d{1,2})$/.exec(form.shown_quiet ?? '');
  if (!quiet) return undefined;
  return {
    mutedKinds: MUTABLE_KINDS.filter((k) => list(form.shown_kinds!).includes(k)),
    mutedChannels: own.filter((ch) => list(form.shown_channels!).includes(ch)),
    quiet: { from: Number(quiet[1]), to: Number(quiet[2]) },
  };
}

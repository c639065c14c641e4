import type { Kysely } from 'kysely';
import type { Database, DeliveryRow } from '../db/tables.js';
import type { Language } from '../i18n/messages.js';
import type { ChannelKind, Message } from '../ports/channel.port.js';
import { DEFAULT_QUIET_HOURS } from '../reminders/quiet-hours.js';
import type { MutableKind, Preferences } from '../preferences/preferences.js';
import { failingAddresses, type FailingAddress } from '../inbound/bounces.js';

export interface Recipient {
  id: number;
  email: string;
  language: Language;
  preferences: Preferences;
  /** Where each platform reaches them (e-mail is their address). */
  addresses: Partial<Record<ChannelKind, string>>;
  /** E-mail addresses of theirs that bounced for good lately: e-mail to them is skipped (src/inbound/bounces.ts). */
  failingEmail?: FailingAddress[];
}

/**
 * What renderers load once per claimed batch instead of once per row. Each kind of message
 * keys its own loader, which sees every row of the batch (see loadInvitationBatch): a batch of
 * N invitations then costs a few queries, not a few per invitation.
 */
export class RenderBatch {
  private readonly loaded = new Map<string, Promise<unknown>>();
  constructor(readonly rows: readonly DeliveryRow[]) {}

  /** The loader's result for this batch; rows rendered at the same time share one load. */
  once<T>(key: string, load: (rows: readonly DeliveryRow[]) => Promise<T>): Promise<T> {
    let result = this.loaded.get(key) as Promise<T> | undefined;
    if (!result) this.loaded.set(key, (result = load(this.rows)));
    return result;
  }

  private readonly kept = new Map<string, unknown>();
  private readonly latestLoads = new Map<string, { version: number; result: Promise<unknown> }>();

  /**
   * What `load` gives for the batch as the data is now: `latest` at the data version read before
   * (`version`), used only if the version is still that one once the load is back; else (a change
   * committed while it ran, after its snapshot) loaded once more at the newer version. Should a
   * read of the version fail, `load` runs for this caller alone, kept for nobody. A failed load
   * rejects: the caller decides whether its row reads its own instead.
   */
  async current<T>(key: string, version: () => number | Promise<number>, load: (rows: readonly DeliveryRow[]) => Promise<T>): Promise<T> {
    let before: number;
    try {
      before = await version();
    } catch {
      return load(this.rows);
    }
    const result = await this.latest(key, before, load);
    let after: number;
    try {
      after = await version();
    } catch {
      return load(this.rows);
    }
    return after === before ? result : this.latest(key, after, load);
  }

  /**
   * The loader's result for this batch at data version `version` (read by the caller before it
   * asks, so the load is at least as new): loaded again, for the whole batch, the first time a
   * row asks at another version; only the latest load is kept. A batch's rows are rendered one
   * by one over its send, and what they show must be as it is when each is rendered.
   */
  private latest<T>(key: string, version: number, load: (rows: readonly DeliveryRow[]) => Promise<T>): Promise<T> {
    let held = this.latestLoads.get(key);
    if (!held || held.version !== version) {
      held = { version, result: load(this.rows) };
      // A failed load is each asking row's to handle (they fall back on their own); not unhandled here.
      held.result.catch(() => undefined);
      this.latestLoads.set(key, held);
    }
    return held.result as Promise<T>;
  }

  /** What `make` gives, made once for this batch (say a cache of what renderers compute, not load). */
  keep<T>(key: string, make: () => T): T {
    if (!this.kept.has(key)) this.kept.set(key, make());
    return this.kept.get(key) as T;
  }
}

/** Everyone a batch is for, fetched in three queries instead of several per row. */
export async function recipientsOf(db: Kysely<Database>, rows: DeliveryRow[], now?: Date): Promise<Map<number, Recipient>> {
  const ids = [...new Set(rows.map((r) => r.person_id).filter((id): id is number => id !== null))];
  const out = new Map<number, Recipient>();
  if (ids.length === 0) return out;
  const people = await db.selectFrom('people').select(['id', 'email', 'language']).where('id', 'in', ids).where('removed_at', 'is', null).execute();
  for (const p of people) {
    out.set(p.id, { ...p, preferences: { mutedKinds: [], mutedChannels: [], quiet: DEFAULT_QUIET_HOURS }, addresses: { email: p.email } });
  }
  for (const p of await db.selectFrom('preferences').selectAll().where('person_id', 'in', ids).execute()) {
    const r = out.get(p.person_id);
    if (r) {
      r.preferences = {
        mutedKinds: p.muted_kinds as MutableKind[],
        mutedChannels: p.muted_channels as ChannelKind[],
        quiet: { from: p.quiet_from, to: p.quiet_to },
      };
    }
  }
  for (const link of await db.selectFrom('person_channels').select(['person_id', 'channel', 'address']).where('person_id', 'in', ids).execute()) {
    const r = out.get(link.person_id);
    if (r) r.addresses[link.channel] = link.address;
  }
  if (now) for (const [personId, failing] of await failingAddresses(db, ids, now)) out.get(personId)!.failingEmail = failing;
  return out;
}

/**
 * Renders each row for its own person; only rows `shareable` declares free of anything bound
 * to one person (issue: a check-in carried another coordinator's signed form link) share one
 * rendering per payload and language within the batch.
 */
export function renderPerPerson(
  batch: RenderBatch,
  render: ((row: DeliveryRow, language: Language, batch: RenderBatch) => Promise<Message | undefined>) | undefined,
  shareable: ((row: DeliveryRow) => boolean) | undefined,
): (row: DeliveryRow, language: Language) => Promise<Message | undefined> {
  const shared = new Map<string, Promise<Message | undefined>>();
  const renderOne = (row: DeliveryRow, language: Language) => (render ? render(row, language, batch) : Promise.resolve(row.payload as Message));
  return (row, language) => {
    if (!shareable?.(row)) return renderOne(row, language);
    const key = `${JSON.stringify(row.payload)}|${language}`;
    if (!shared.has(key)) shared.set(key, renderOne(row, language));
    return shared.get(key)!;
  };
}

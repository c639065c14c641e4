import type { Message } from '../ports/channel.port.js';

/**
 * Answers kept at most (issue 17). An answer is a few kilobytes and lives a minute at most, so
 * 5,000 covers everyone who asks within a minute in a big region; at 50,000 the map could hold
 * 150 MB of answers nobody would ask for again.
 */
export const MAX_REPEAT_ANSWERS = 5_000;
/**
 * The longest an answer is kept even when nothing it shows changes: an answer about "the next
 * eight weeks" gains a meeting when one enters that window, which no data change announces.
 */
export const MAX_KEEP_MS = 60_000;

interface Kept {
  message: Message;
  until: number;
}

/**
 * Answers to read-only commands, kept per person and typed command so that the same person
 * asking again is answered without a promise or a query (`spotkania` is most of what people
 * send). An answer is kept under the data version it was built from (any import, erasure or
 * moved meeting raises it: src/db/data-version-watch.ts) and only until the moment it would
 * read differently (its first meeting begins), at most MAX_KEEP_MS.
 */
export class RepeatAnswers {
  /** The version every kept answer was built from: a newer one empties the map. */
  private version = -1;
  private readonly kept = new Map<string, Kept>();

  /** The kept answer, if it still holds at `now` under `version` (undefined: version not known without waiting). */
  get(key: string, version: number | undefined, now: number): Message | undefined {
    if (version === undefined) return undefined;
    if (version > this.version) this.forgetAll(version);
    if (version !== this.version) return undefined;
    const kept = this.kept.get(key);
    return kept && kept.until > now ? kept.message : undefined;
  }

  keep(key: string, message: Message, version: number, now: number, until: number): void {
    if (version > this.version) this.forgetAll(version);
    // Built from an older version than another request already saw: already out of date.
    if (version < this.version) return;
    this.kept.delete(key);
    if (this.kept.size >= MAX_REPEAT_ANSWERS) this.makeRoom(now);
    this.kept.set(key, { message, until: Math.min(until, now + MAX_KEEP_MS) });
  }

  /** Full: the answers past their time go first; if none is, the oldest kept (a Map keeps insertion order). */
  private makeRoom(now: number): void {
    for (const [key, kept] of this.kept) if (kept.until <= now) this.kept.delete(key);
    if (this.kept.size >= MAX_REPEAT_ANSWERS) this.kept.delete(this.kept.keys().next().value!);
  }

  private forgetAll(version: number): void {
    this.version = version;
    this.kept.clear();
  }
}

/** What identifies a repeated command: the platform user and exactly what they typed. */
export function repeatKey(channel: string, externalId: string, command: string, text: string): string {
  return `${channel} ${externalId} ${command} ${text}`;
}

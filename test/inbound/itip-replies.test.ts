import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import type { DnsResolver } from '../../src/inbound/sender-check.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { everyone } from '../invitations/support.js';
import { CLIENTS, itipMail } from './mails.js';
import { addressOf, inboundRows, invite, personId, rsvpOf, sinkFor, smtpEnvelope, START, WORKSHOP, WORKSHOP_TITLE, WORKSHOP_UID } from './world.js';

const ANSWERS = { ACCEPTED: 'accepted', DECLINED: 'declined', TENTATIVE: 'maybe' } as const;

describe.each(dialects)('calendar replies (iTIP) on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock(START);
  beforeEach(async () => {
    clock.set(START);
    db = await freshDatabase(kind);
    await invite(db.db, clock);
  });
  afterEach(async () => db?.close());

  const reply = async (client: (typeof CLIENTS)[number], email: string, partstat: string, messageId?: string) =>
    itipMail({ client, from: email, to: await addressOf(db.db, email, `invite:${WORKSHOP}:`), partstat, uid: WORKSHOP_UID, title: WORKSHOP_TITLE, ...(messageId ? { messageId } : {}) });

  it.each(CLIENTS)('should record %s replies exactly as the buttons do, once per mail, and confirm each', async (client) => {
    const sink = sinkFor(db.db, clock);
    for (const [i, partstat] of (['ACCEPTED', 'DECLINED', 'TENTATIVE'] as const).entries()) {
      const email = everyone[i]!;
      const raw = await reply(client, email, partstat);
      expect(await sink.receive(raw, smtpEnvelope())).toMatchObject({ status: 'recorded', what: `rsvp:${ANSWERS[partstat]}` });
      expect(await sink.receive(raw, { transport: 'imap', rcptTo: [] })).toEqual({ status: 'duplicate' });
      expect(await rsvpOf(db.db, email)).toBe(ANSWERS[partstat]);
    }
    const rows = await inboundRows(db.db);
    expect(rows.map((r) => [r.email, r.kind])).toEqual(everyone.slice(0, 3).map((e) => [e, 'inbound_confirmation']));
    expect((rows[0]!.payload as { text: string }).text).toContain(`zapisaliśmy Panią/Pana na „${WORKSHOP_TITLE}”`);
    expect(Number((await db.db.selectFrom('inbound_mails').select(db.db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(3);
  });

  it('should seat 24 and put the rest on the waiting list in order, then offer a seat freed by a DECLINED reply', async () => {
    const sink = sinkFor(db.db, clock);
    for (const [i, email] of everyone.slice(0, 26).entries()) {
      clock.advance(60_000);
      const outcome = await sink.receive(await reply(CLIENTS[i % 4]!, email, 'ACCEPTED'), smtpEnvelope());
      expect(outcome).toMatchObject({ status: 'recorded', what: i < 24 ? 'rsvp:accepted' : 'rsvp:waiting' });
    }
    const waitingText = (await inboundRows(db.db)).at(-1)!.payload as { text: string };
    expect(waitingText.text).toContain('na liście rezerwowej na miejscu 2');
    await sink.receive(await reply('outlook', everyone[0]!, 'DECLINED'), smtpEnvelope());
    expect(await rsvpOf(db.db, everyone[0]!)).toBe('declined');
    const offer = await db.db.selectFrom('invitations').select('offer_expires_at').where('person_id', '=', await personId(db.db, everyone[24]!)).where('activity_id', '=', WORKSHOP).executeTakeFirstOrThrow();
    expect(offer.offer_expires_at).not.toBeNull();
    expect(await db.db.selectFrom('deliveries').select('dedupe_key').where('dedupe_key', 'like', 'rsvp-offer:%').execute()).toHaveLength(1);
  });

  it('should take a calendar reply marked Auto-Submitted: auto-generated as the person\'s answer', async () => {
    const raw = Buffer.from((await reply('google', everyone[8]!, 'DECLINED')).toString().replace('MIME-Version: 1.0\r\n', 'MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n'));
    expect(raw.toString()).toContain('Auto-Submitted: auto-generated');
    expect(await sinkFor(db.db, clock).receive(raw, smtpEnvelope())).toMatchObject({ status: 'recorded', what: 'rsvp:declined' });
  });

  it('should answer an Outlook COUNTER politely in the person\'s language and change nothing', async () => {
    const sink = sinkFor(db.db, clock);
    const email = 'lodz10@example.org'; // English
    const raw = itipMail({ client: 'outlook', counter: true, from: email, to: await addressOf(db.db, email, `invite:${WORKSHOP}:`), partstat: 'TENTATIVE', uid: WORKSHOP_UID, title: WORKSHOP_TITLE });
    expect(await sink.receive(raw, smtpEnvelope())).toEqual({ status: 'recorded', what: 'counter_answered' });
    expect(await rsvpOf(db.db, email)).toBeUndefined();
    const [row] = await inboundRows(db.db);
    expect(row).toMatchObject({ email, kind: 'inbound_confirmation' });
    expect((row!.payload as { text: string }).text).toContain('RCPS sets the times of its events');
  });

  describe('without a signed address: the ATTENDEE and a From that passes DMARC', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    // The DNS of example.org at the network edge: its DKIM key and a DMARC policy.
    const resolver: DnsResolver = async (name, rr) => {
      if (rr === 'TXT' && name === 'sel._domainkey.example.org') return [[`v=DKIM1; k=rsa; p=${pem}`]];
      if (rr === 'TXT' && name === '_dmarc.example.org') return [['v=DMARC1; p=reject; adkim=r; aspf=r']];
      throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    };
    // signTime given: without it mailauth reads the clock twice (once for the signed copy of the
    // header, once for the header written) and rounds; across a half second the two t= differ
    // and the signature is bad (about 1 in 2,000 here; a CI flake).
    const signed = async (raw: Buffer, domain = 'example.org') => {
      const result = await dkimSign(raw, { signTime: new Date(), signatureData: [{ signingDomain: domain, selector: 'sel', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string }] } as never);
      return Buffer.concat([Buffer.from((result as { signatures: string }).signatures), raw]);
    };
    const direct = (email: string, partstat = 'ACCEPTED') => itipMail({ client: 'google', from: email, to: 'kooperator@rcps.example.org', partstat, uid: WORKSHOP_UID, title: WORKSHOP_TITLE });

    it('should record a REPLY to the plain organiser address when DKIM aligns with From and DMARC passes', async () => {
      const sink = sinkFor(db.db, clock, { resolver });
      expect(await sink.receive(await signed(direct(everyone[3]!)), { transport: 'imap', rcptTo: ['kooperator@rcps.example.org'] })).toMatchObject({ status: 'recorded', what: 'rsvp:accepted' });
      expect(await rsvpOf(db.db, everyone[3]!)).toBe('accepted');
    });

    it('should record nothing for a spoofed From (no valid signature: DMARC fails) and forward it to RCPS as unverified', async () => {
      const sink = sinkFor(db.db, clock, { resolver });
      const forged = direct(everyone[4]!, 'DECLINED');
      expect(await sink.receive(forged, smtpEnvelope(['kooperator@rcps.example.org']))).toEqual({ status: 'ignored', why: 'unverified:dmarc_failed' });
      // A signed mail changed after signing (an edited copy sent again): the signature breaks, DMARC fails.
      expect(await sink.receive(await signed(direct(everyone[5]!)).then((b) => Buffer.from(b.toString().replace(/^Message-ID: <[^>]+>/m, 'Message-ID: <other@x>'))), smtpEnvelope())).toMatchObject({ status: 'ignored' });
      expect(await rsvpOf(db.db, everyone[4]!)).toBeUndefined();
      expect(await rsvpOf(db.db, everyone[5]!)).toBeUndefined();
      const rows = await inboundRows(db.db);
      expect(rows.filter((r) => r.kind === 'inbound_unverified').map((r) => r.email)).toEqual(['jan.kowalski@example.org', 'jan.kowalski@example.org']);
      expect(JSON.stringify(rows[0]!.payload)).toContain('DMARC');
    });

    it('should not bind an ATTENDEE who is not the sender, even with DMARC passing', async () => {
      const sink = sinkFor(db.db, clock, { resolver });
      const raw = itipMail({ client: 'thunderbird', from: everyone[6]!, attendee: everyone[7]!, to: 'kooperator@rcps.example.org', partstat: 'DECLINED', uid: WORKSHOP_UID, title: WORKSHOP_TITLE });
      expect(await sink.receive(await signed(raw), smtpEnvelope())).toEqual({ status: 'ignored', why: 'unverified:other_person' });
      expect(await rsvpOf(db.db, everyone[7]!)).toBeUndefined();
    });
  });
});

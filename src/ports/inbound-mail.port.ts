/**
 * The port between the core and the ways mail reaches the service (an IMAP mailbox, a receiving
 * SMTP listener). A transport hands each mail over whole, as its raw RFC 5322 bytes, with what the
 * transport itself knows of where it came from; the core parses, verifies and records it.
 *
 * A transport marks a mail processed (IMAP: flag or move) only after `receive` resolved: a crash
 * before that makes the transport offer the same mail again, and the core records each mail once
 * (by its Message-ID), so nothing is lost and nothing is doubled.
 */
export interface InboundEnvelope {
  /** SMTP MAIL FROM, when the transport knows it (the listener; IMAP: Return-Path). */
  mailFrom?: string;
  /** SMTP RCPT TO, when known (the listener; IMAP: Delivered-To / the mailbox's own address). */
  rcptTo: string[];
  /** The connecting client's IP, for SPF (the listener); IMAP relies on the receiving server's Authentication-Results / Received headers. */
  remoteAddress?: string;
  /** The client's HELO/EHLO name, for SPF. */
  helo?: string;
  /**
   * Set when the mail was larger than the transport's limit (IMAP; the SMTP listener refuses such
   * mail with 552 instead): its size in bytes. `raw` then holds only its header section, so the
   * core can still see who sent it and where it was going, and say it was too large.
   */
  truncatedFrom?: number;
  /** Which transport brought it: shown in logs and `dostarczenia`. */
  transport: 'imap' | 'smtp';
}

export type InboundOutcome =
  /** Recorded now (an answer, a comment, a bounce, a forward to RCPS…): `what` says which, for logs and metrics. */
  | { status: 'recorded'; what: string }
  /** This Message-ID was recorded before: nothing done again. */
  | { status: 'duplicate' }
  /** Not for us or not understood, and recorded as such (forwarded, or ignored like an auto-reply). */
  | { status: 'ignored'; why: string };

export interface InboundMailSink {
  /** Throws only when the mail could not be recorded (the database is away): the transport keeps it and offers it again. */
  receive(raw: Buffer, envelope: InboundEnvelope): Promise<InboundOutcome>;
}

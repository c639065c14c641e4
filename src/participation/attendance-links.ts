import { signLink, verifyLink } from '../security/signed-links.js';

/** What a lista obecności is about: one meeting occurrence of a team, or one activity (all its days, or one). */
export interface AttendanceSubject {
  kind: 'meeting' | 'activity';
  /** The team's id (meeting) or the activity's id. */
  refId: string;
  /** Meeting: the occurrence key (its original date). Activity: one local day, or absent for every day. */
  day?: string;
}

export type AttendanceListFormat = 'pdf' | 'csv' | 'blank.pdf';

/** How long a list link works: the coordinator gets a fresh one with every summary. */
export const ATTENDANCE_LINK_DAYS = 30;

/**
 * The signed address of a lista obecności for one viewer (a coordinator of the team, or RCPS):
 * purpose 'attendance', the viewer as subject, so the page checks the viewer's role when it is
 * opened (a link passed on to someone else still shows only what its viewer may see, and stops
 * with their role).
 */
export function attendanceListUrl(publicUrl: string, secret: string, viewerId: number, subject: AttendanceSubject, format: AttendanceListFormat, now: Date): string {
  const token = signLink(secret, {
    purpose: 'attendance',
    subject: String(viewerId),
    expiresAt: new Date(now.getTime() + ATTENDANCE_LINK_DAYS * 86_400_000),
    k: subject.kind,
    r: subject.refId,
    ...(subject.day ? { d: subject.day } : {}),
  });
  return `${publicUrl.replace(/\/+$/, '')}/attendance/${token}.${format}`;
}

export type AttendanceLinkCheck = { ok: true; viewerId: number; subject: AttendanceSubject } | { ok: false; status: 404 | 410 };

/** A forged or tampered link is 404, an expired one 410; neither says whom or what it was for. */
export function checkAttendanceLink(secret: string, token: string, now: Date): AttendanceLinkCheck {
  const verified = verifyLink(secret, token, 'attendance', now);
  if (!verified.ok) return { ok: false, status: verified.reason === 'expired' ? 410 : 404 };
  const { subject, k, r, d } = verified.payload as Record<string, unknown>;
  const viewerId = Number(subject);
  if (!Number.isSafeInteger(viewerId) || viewerId <= 0) return { ok: false, status: 404 };
  if ((k !== 'meeting' && k !== 'activity') || typeof r !== 'string' || (d !== undefined && typeof d !== 'string')) return { ok: false, status: 404 };
  return { ok: true, viewerId, subject: { kind: k, refId: r, ...(d ? { day: d } : {}) } };
}

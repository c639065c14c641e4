import type { PersonalDataPart } from '../privacy/personal-data.js';
import { lockActivities } from './capacity.js';
import { settleSeats } from './seat-offers.js';

/** Invitations, answers and announcements a person wrote (RODO: what we store, and erasing it). */
export const invitationsPersonalData: PersonalDataPart = {
  name: 'invitations',
  async collect(db, personId) {
    const invitations = await db
      .selectFrom('invitations')
      .leftJoin('rsvps', (j) => j.onRef('rsvps.activity_id', '=', 'invitations.activity_id').onRef('rsvps.person_id', '=', 'invitations.person_id'))
      .select(['invitations.activity_id', 'invitations.invited_at', 'invitations.offer_expires_at', 'invitations.offer_lapsed_at', 'rsvps.answer', 'rsvps.answered_at'])
      .where('invitations.person_id', '=', personId)
      .execute();
    const announcements = await db.selectFrom('announcements').select(['id', 'text', 'team_ids', 'state', 'created_at', 'sent_at']).where('author_id', '=', personId).execute();
    return { invitations, announcements };
  },
  async erase(trx, personId, now) {
    // A seat the person held is freed and offered on, as any freed seat is. Their answers may be
    // gone already (the rsvps part runs first), so every activity they were invited to is settled.
    const invited = await trx.selectFrom('invitations').select('activity_id').where('person_id', '=', personId).execute();
    await trx.deleteFrom('rsvps').where('person_id', '=', personId).execute();
    await trx.deleteFrom('invitations').where('person_id', '=', personId).execute();
    if (now) for (const activity of await lockActivities(trx, invited.map((i) => i.activity_id))) await settleSeats(trx, activity, now);
    await trx.deleteFrom('announcements').where('author_id', '=', personId).execute();
  },
};

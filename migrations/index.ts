import type { Migration } from 'kysely';
import * as schedule from './20261123_0001_schedule.js';
import * as channels from './20261123_0002_channels.js';
import * as deliveries from './20261123_0003_deliveries.js';
import * as placeDeliveries from './20261123_0004_place_deliveries.js';
import * as reports from './20261123_0005_reports.js';
import * as invitations from './20261123_0006_invitations.js';
import * as erasures from './20261123_0007_erasures.js';
import * as teamsChannels from './20261123_0008_teams_channels.js';
import * as dispatchers from './20261123_0009_dispatchers.js';
import * as reminderPlans from './20261123_0010_reminder_plans.js';
import * as dataVersionNotify from './20261123_0011_data_version_notify.js';
import * as requeuedDeliveries from './20261123_0012_requeued_deliveries.js';
import * as deliveryClaims from './20261203_0013_delivery_claims.js';
import * as seatOffers from './20261203_0016_seat_offers.js';
import * as meetingChanges from './20261203_0017_meeting_changes.js';
import * as versionsAndLinks from './20261203_0018_versions_and_links.js';
import * as chatChangesBeforeUpgrade from './20261203_0019_chat_changes_before_upgrade.js';
import * as dispatcherTimeouts from './20261203_0021_dispatcher_timeouts.js';
import * as participation from './20261203_0022_participation.js';
import * as registrationQuestions from './20261203_0023_registration_questions.js';
import * as certificates from './20261203_0024_certificates.js';
import * as inboundMails from './20261203_0025_inbound_mails.js';
import * as mailBounces from './20261203_0026_mail_bounces.js';
import * as checkinCodes from './20261203_0027_checkin_codes.js';
import * as advisoryClaims from './20261204_0028_advisory_claims.js';
import * as membershipPeriods from './20261204_0029_membership_periods.js';
import * as planningMarks from './20261204_0030_planning_marks.js';
import * as earlySends from './20261206_0031_early_sends.js';
import * as laneOrder from './20261206_0032_lane_order.js';
import * as dispatcherSessions from './20261206_0033_dispatcher_sessions.js';
import * as invitationUpdatesTimeBound from './20261206_0034_invitation_updates_time_bound.js';
import * as digestsBulk from './20261206_0035_digests_bulk.js';
import * as standingOffers from './20261207_0036_standing_offers.js';
import * as invitationInputs from './20261207_0037_invitation_inputs.js';

/**
 * Every migration, by name, in order. A static list instead of a folder scan, so the same
 * code runs under tsx, vitest and the compiled build without dynamic imports of .ts files.
 */
export const migrations: Record<string, Migration> = {
  '20261123_0001_schedule': schedule,
  '20261123_0002_channels': channels,
  '20261123_0003_deliveries': deliveries,
  '20261123_0004_place_deliveries': placeDeliveries,
  '20261123_0005_reports': reports,
  '20261123_0006_invitations': invitations,
  '20261123_0007_erasures': erasures,
  '20261123_0008_teams_channels': teamsChannels,
  '20261123_0009_dispatchers': dispatchers,
  '20261123_0010_reminder_plans': reminderPlans,
  '20261123_0011_data_version_notify': dataVersionNotify,
  '20261123_0012_requeued_deliveries': requeuedDeliveries,
  '20261203_0013_delivery_claims': deliveryClaims,
  '20261203_0016_seat_offers': seatOffers,
  '20261203_0017_meeting_changes': meetingChanges,
  '20261203_0018_versions_and_links': versionsAndLinks,
  '20261203_0019_chat_changes_before_upgrade': chatChangesBeforeUpgrade,
  '20261203_0021_dispatcher_timeouts': dispatcherTimeouts,
  '20261203_0022_participation': participation,
  '20261203_0023_registration_questions': registrationQuestions,
  '20261203_0024_certificates': certificates,
  '20261203_0025_inbound_mails': inboundMails,
  '20261203_0026_mail_bounces': mailBounces,
  '20261203_0027_checkin_codes': checkinCodes,
  '20261204_0028_advisory_claims': advisoryClaims,
  '20261204_0029_membership_periods': membershipPeriods,
  '20261204_0030_planning_marks': planningMarks,
  '20261206_0031_early_sends': earlySends,
  '20261206_0032_lane_order': laneOrder,
  '20261206_0033_dispatcher_sessions': dispatcherSessions,
  '20261206_0034_invitation_updates_time_bound': invitationUpdatesTimeBound,
  '20261206_0035_digests_bulk': digestsBulk,
  '20261207_0036_standing_offers': standingOffers,
  '20261207_0037_invitation_inputs': invitationInputs,
};

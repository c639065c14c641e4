/**
 * Writing a schedule file (CONTRACT.md format) line by line, for the benchmarks' generators
 * (generate-schedule.ts, generate-national.ts): text is built directly, not through a YAML
 * library, because the national file has 30,000 members and must be made quickly and the same
 * every time. Also the small deterministic random numbers they draw names with.
 */

/** mulberry32: small, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A JSON string is a valid YAML double-quoted scalar. */
export const q = (text: string) => JSON.stringify(text);
export const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export interface MemberYaml {
  name: string;
  email: string;
  institution: string;
  role: string;
  /** As written in the file: `[slack, email]`. */
  channels: string;
  language: string;
}

export interface TeamYaml {
  id: string;
  name: string;
  area: string;
  meetings: {
    rrule: string;
    /** Local date and time: `2027-01-12T08:30`. */
    starts: string;
    duration: string;
    location: string;
    online?: string;
    /** As written in the file: `[P7D, P1D, PT2H]`. */
    reminders: string;
    onHoliday: string;
    except?: ({ date: string; cancelled: true } | { date: string; movedTo: string })[];
  };
  members: MemberYaml[];
}

export interface StaffYaml {
  name: string;
  email: string;
  role: string;
  channels: string;
}

/** One entry of `teams:`, its members included. */
export function writeTeam(line: (text: string) => void, team: TeamYaml): void {
  const m = team.meetings;
  line(`  - id: ${team.id}`);
  line(`    name: ${q(team.name)}`);
  line(`    area: ${team.area}`);
  line('    meetings:');
  line(`      rrule: ${m.rrule}`);
  line(`      starts: ${m.starts}`);
  line(`      duration: ${m.duration}`);
  line(`      location: ${q(m.location)}`);
  if (m.online) line(`      online: ${m.online}`);
  line(`      reminders: ${m.reminders}`);
  line(`      on_holiday: ${m.onHoliday}`);
  if (m.except) {
    line('      except:');
    for (const e of m.except) {
      line(`        - date: ${e.date}`);
      line('cancelled' in e ? '          cancelled: true' : `          moved_to: ${e.movedTo}`);
    }
  }
  line('    members:');
  for (const member of team.members) {
    line(`      - name: ${q(member.name)}`);
    line(`        email: ${member.email}`);
    line(`        institution: ${q(member.institution)}`);
    line(`        role: ${member.role}`);
    line(`        channels: ${member.channels}`);
    line(`        language: ${member.language}`);
  }
}

/** One entry of `staff:`. */
export function writeStaff(line: (text: string) => void, person: StaffYaml): void {
  line(`  - name: ${q(person.name)}`);
  line(`    email: ${person.email}`);
  line(`    role: ${person.role}`);
  line(`    channels: ${person.channels}`);
}

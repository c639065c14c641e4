/**
 * The README's rules for problem reports ("Status updates and problem reports"), as a model a
 * model-based test runs beside the real bot. Only what the README promises is modelled.
 */

export const DUPLICATE_WINDOW_MS = 10 * 60_000;

export type Team = 'lodz' | 'lowicz';
export type State = 'new' | 'acknowledged' | 'resolved';
export type Action = 'created' | 'acknowledged' | 'resolved' | 'commented';

export interface Person {
  email: string;
  team?: Team;
  staff?: 'rcps' | 'admin';
}

/** Members of both teams, RCPS and an admin (calendars/demo.yaml). */
export const PEOPLE: Person[] = [
  { email: 'katarzyna.wisniewska@example.org', team: 'lodz' },
  { email: 'piotr.kaminski@example.org', team: 'lodz' },
  { email: 'anna.nowak@example.org', team: 'lodz' },
  { email: 'barbara.kowalczyk@example.org', team: 'lowicz' },
  { email: 'krzysztof.jablonski@example.org', team: 'lowicz' },
  { email: 'jan.kowalski@example.org', staff: 'rcps' },
  { email: 'elzbieta.pawlak@example.org', staff: 'admin' },
];
export const STAFF = PEOPLE.filter((p) => p.staff);
const CODES: Record<Team, string> = { lodz: 'LDZ', lowicz: 'LOW' };

export interface ModelEvent {
  action: Action;
  actor: string;
  comment: string | null;
  at: number;
}

export interface ModelReport {
  code: string;
  team: Team;
  reporter: string;
  text: string;
  state: State;
  events: ModelEvent[];
  createdAt: number;
}

export interface Model {
  now: number;
  reports: ModelReport[];
}

const person = (email: string) => PEOPLE.find((p) => p.email === email)!;
/** "acknowledging and resolving is for RCPS and admins only" */
export const canManage = (email: string) => person(email).staff !== undefined;
/** "a member their own reports and their teams', a coordinator their teams', RCPS and admins all" */
export const canSee = (email: string, r: ModelReport) => canManage(email) || r.reporter === email || person(email).team === r.team;

/** A report the command names: one of the model's, or (none yet) a code nobody has. */
export const reportAt = (m: Model, index: number): ModelReport | undefined => (m.reports.length ? m.reports[index % m.reports.length] : undefined);
export const codeAt = (m: Model, index: number): string => reportAt(m, index)?.code ?? 'LDZ-2027-099';

/** "The same submission twice (… the same text from the same person within ten minutes) is stored once." */
export function submit(m: Model, email: string, text: string): void {
  const team = person(email).team;
  if (!team) return; // RCPS reports for no team: refused, nothing stored
  const same = m.reports.find((r) => r.reporter === email && r.text === text && r.createdAt > m.now - DUPLICATE_WINDOW_MS);
  if (same) return;
  const number = m.reports.filter((r) => r.team === team).length + 1;
  const code = `${CODES[team]}-2027-${String(number).padStart(3, '0')}`;
  m.reports.push({ code, team, reporter: email, text, state: 'new', events: [{ action: 'created', actor: email, comment: null, at: m.now }], createdAt: m.now });
}

/** Acknowledge or resolve: RCPS and admins, on a report not already in (or past) that state. */
export function manage(m: Model, email: string, index: number, action: 'acknowledged' | 'resolved', comment: string | null): void {
  const r = reportAt(m, index);
  if (!r || !canSee(email, r) || !canManage(email)) return;
  if (r.state === action || (action === 'acknowledged' && r.state === 'resolved')) return;
  r.state = action;
  r.events.push({ action, actor: email, comment, at: m.now });
}

/** "anyone who sees a report may comment"; "The same comment from the same person within ten minutes is stored once." */
export function comment(m: Model, email: string, index: number, text: string): void {
  const r = reportAt(m, index);
  if (!r || !canSee(email, r)) return;
  if (r.events.some((e) => e.action === 'commented' && e.actor === email && e.comment === text && e.at > m.now - DUPLICATE_WINDOW_MS)) return;
  r.events.push({ action: 'commented', actor: email, comment: text, at: m.now });
}

/**
 * Who hears of each event, by outbox key suffix: "the reporter hears of each one" (changes by
 * others), and a comment from the reporter's side goes "to the RCPS people who acknowledged or
 * resolved the report, or, while nobody has, to all RCPS".
 */
export function recipientsOf(r: ModelReport, eventIndex: number): string[] {
  const event = r.events[eventIndex]!;
  if (event.action === 'created') return STAFF.map((s) => s.email);
  const out = event.actor !== r.reporter ? ['reporter'] : [];
  if (event.action === 'commented' && !canManage(event.actor)) {
    const takers = r.events.slice(0, eventIndex).filter((e) => (e.action === 'acknowledged' || e.action === 'resolved') && canManage(e.actor));
    const to = takers.length ? [...new Set(takers.map((e) => e.actor))] : STAFF.map((s) => s.email);
    out.push(...to);
  }
  return out;
}

/** "only allowed transitions": new → acknowledged → resolved, or new → resolved, by RCPS or an admin. */
export function allowedPath(events: { action: Action; staff: boolean }[]): boolean {
  let state: State = 'new';
  for (const [i, e] of events.entries()) {
    if (i === 0) {
      if (e.action !== 'created') return false;
      continue;
    }
    if (e.action === 'created') return false;
    if (e.action === 'commented') continue;
    if (!e.staff) return false;
    if (e.action === 'acknowledged' && state !== 'new') return false;
    if (e.action === 'resolved' && state === 'resolved') return false;
    state = e.action;
  }
  return true;
}

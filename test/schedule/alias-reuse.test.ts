import { describe, expect, it } from 'vitest';
import { MAX_ALIAS_COPIED_NODES } from '../../src/schedule/alias-size.js';
import { parseScheduleText } from '../../src/schedule/load-schedule.js';

/**
 * Found in review: MAX_ALIAS_COUNT = 100 (load-schedule.ts) is yaml's maxAliasCount, which counts every
 * use of an alias (uses × the aliased node's own alias depth), not how much is copied. A
 * region's file (the limit's own comment: 400 teams, 12 000 members) that writes
 * `channels: &email [email]` once and `channels: *email` for its other members is refused
 * at the 101st member as an alias bomb, though it copies a two-word list. The bomb is in
 * nested aliases; the limit should weigh the copied size (or allow plain reuse of a leaf).
 */
function region(members: number): string {
  const people = Array.from({ length: members }, (_, i) =>
    [`      - name: Osoba ${i + 1}`, `        email: osoba${i + 1}@example.org`, `        role: member`, i === 0 ? '        channels: &email [email]' : '        channels: *email'].join('\n'),
  );
  return ['timezone: Europe/Warsaw', 'teams:', '  - id: lodz', '    name: PZK Łódź', '    area: gmina', '    members:', ...people, ''].join('\n');
}

describe('one anchor reused by many members', () => {
  it('should take a team of 150 members who share `channels: *email`', () => {
    const { problems } = parseScheduleText('region.yaml', region(150));
    expect(problems.filter((p) => /alias/i.test(p.message))).toEqual([]);
  });
});

describe('what aliases copy, weighed after expansion', () => {
  const messages = (text: string) => parseScheduleText('aliases.yaml', text).problems.map((p) => p.message);

  it('should refuse a file whose aliases of one large list copy more than the limit, naming the limit', () => {
    const list = `x: &big [${Array.from({ length: 1000 }, (_, i) => i).join(', ')}]`;
    const uses = Array.from({ length: 201 }, (_, i) => `y${i}: *big`);
    const found = messages([list, ...uses, ''].join('\n'));
    expect(found).toEqual([`YAML: aliases (*name) copy too much; they may copy at most ${MAX_ALIAS_COPIED_NODES.toLocaleString("en-GB")} nodes in all`]);
  });

  it('should refuse an alias used inside the node it names, with one problem', () => {
    expect(messages('x: &loop [1, *loop]\n')).toEqual(['YAML: the alias *loop is used inside the node it names']);
  });

  it('should name an alias whose anchor is not set before it', () => {
    expect(messages('x: *nowhere\n').join('\n')).toMatch(/nowhere/);
  });
});

import { describe, expect, it } from 'vitest';
import { renderCard } from '../../adapters/teams/render-card.js';
import { presenceMessages } from '../../src/i18n/presence-messages.js';
import type { RosterEntry } from '../../src/participation/meeting-roster.js';
import { presenceForm } from '../../src/participation/presence-checkin.js';
import type { Message } from '../../src/ports/channel.port.js';
import { checkCard } from '../adapters/limits/card-check.js';

/**
 * A presence list too long for Teams's 28 KB is never cut (a left-out person would be sent back
 * as absent): the card drops the form, says so, and keeps the button to the signed web form.
 */
const roster = (n: number): RosterEntry[] =>
  Array.from({ length: n }, (_, i) => ({ personId: 1000 + i, name: `Aleksandra Wiśniewska ${i}`, institution: 'Miejski Ośrodek Pomocy Społecznej w Łodzi', ticked: i % 2 === 0 }));
const URL = 'https://kooperator.example.org/presence/abc.def';

describe('Presence list on Teams', () => {
  it.each([200, 500])('should fit Teams\'s message size with %i people, linking to the web form', (n) => {
    const message: Message = {
      language: 'pl',
      title: presenceMessages.pl.formTitle,
      text: presenceMessages.pl.formLinkText('12 stycznia 2027 10:00'),
      form: presenceForm(roster(n), 'pl', 'lodz', '2027-01-12'),
      links: [{ label: presenceMessages.pl.confirmLabel, url: URL }],
    };
    const card = renderCard(message);
    expect(checkCard(card)).toEqual([]);
    const json = JSON.stringify(card);
    expect(json).not.toContain('Input.ChoiceSet');
    expect(json).toContain('Formularz jest za długi');
    expect(json).toContain(URL);
  });
  it('should keep the form in the card when it fits (11 people)', () => {
    const message: Message = { language: 'pl', title: 'x', text: 'y', form: presenceForm(roster(11), 'pl', 'lodz', '2027-01-12') };
    expect(JSON.stringify(renderCard(message))).toContain('Input.ChoiceSet');
  });
});

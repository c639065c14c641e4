import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { colorIcon, outlineIcon } from '../../../adapters/teams/manifest/make-icons.js';
import { parseCommand } from '../../../src/bot/parse-command.js';

const dir = join(import.meta.dirname, '../../../adapters/teams/manifest');
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));

/** Width, height and RGBA pixels of a PNG written by make-icons.ts (8-bit RGBA, filter 0 only). */
function decode(png: Buffer): { width: number; height: number; pixels: number[][] } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  expect([png[24], png[25]]).toEqual([8, 6]);
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString('ascii', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const pixels: number[][] = [];
  for (let y = 0; y < height; y++) {
    const row = y * (width * 4 + 1);
    expect(raw[row]).toBe(0);
    for (let x = 0; x < width; x++) pixels.push([...raw.subarray(row + 1 + x * 4, row + 5 + x * 4)]);
  }
  return { width, height, pixels };
}

describe('Teams app manifest', () => {
  it('should declare the bot by its app id placeholder, in personal and team scope', () => {
    expect(manifest.manifestVersion).toBe('1.17');
    expect(manifest.$schema).toContain('/v1.17/');
    expect(manifest.id).toBe('{{MicrosoftAppId}}');
    const [bot] = manifest.bots;
    expect(bot.botId).toBe('{{MicrosoftAppId}}');
    expect(bot.scopes).toEqual(['personal', 'team']);
    expect(manifest.validDomains).toEqual(['{{PublicHost}}']);
    expect(manifest.name.short.length).toBeLessThanOrEqual(30);
    expect(manifest.description.short.length).toBeLessThanOrEqual(80);
  });

  it('should list only commands the bot knows, within the schema limits', () => {
    const commands: { title: string; description: string }[] = manifest.bots[0].commandLists[0].commands;
    expect(commands.length).toBeLessThanOrEqual(10);
    const known = commands.map((c) => parseCommand(c.title).command);
    expect(known).not.toContain(undefined);
    expect(new Set(known)).toEqual(new Set(['pomoc', 'spotkania', 'status', 'problem', 'warsztaty', 'kalendarz', 'ogloszenie', 'moje-dane', 'ustawienia', 'dostarczenia']));
    for (const c of commands) {
      expect(c.title.length).toBeLessThanOrEqual(32);
      expect(c.description.length).toBeLessThanOrEqual(128);
    }
  });

  it('should ship a 192×192 colour icon and a 32×32 white-on-transparent outline, as make-icons.ts draws them', () => {
    const color = readFileSync(join(dir, manifest.icons.color));
    const outline = readFileSync(join(dir, manifest.icons.outline));
    expect(color.equals(colorIcon())).toBe(true);
    expect(outline.equals(outlineIcon())).toBe(true);
    const c = decode(color);
    expect([c.width, c.height]).toEqual([192, 192]);
    expect(c.pixels.every((p) => p[3] === 255)).toBe(true);
    const o = decode(outline);
    expect([o.width, o.height]).toEqual([32, 32]);
    expect(o.pixels.every(([r, g, b, a]) => a === 0 || (r === 255 && g === 255 && b === 255))).toBe(true);
    expect(o.pixels.some((p) => p[3] === 255)).toBe(true);
    expect(o.pixels.some((p) => p[3] === 0)).toBe(true);
  });
});

/**
 * Draws the two Teams app icons with no image library: node:zlib deflates RGBA scanlines into a
 * PNG. Run again after changing the drawing: `npx tsx adapters/teams/manifest/make-icons.ts`.
 * - color.png 192×192: the accent colour, two linked white rings (cooperation) in the middle.
 * - outline.png 32×32: the same rings, white on transparent, as Teams requires.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** An 8-bit RGBA PNG; every scanline uses filter 0 (none). */
export function encodePng(size: number, pixel: (x: number, y: number) => [number, number, number, number]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    const row = y * (size * 4 + 1);
    for (let x = 0; x < size; x++) raw.set(pixel(x, y), row + 1 + x * 4);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** Coverage (0..1) of two linked rings in a unit square, sampled 4×4 per pixel for smooth edges. */
function rings(size: number, scale: number): (x: number, y: number) => number {
  const r = 0.2 * scale;
  const width = 0.075 * scale;
  const centres = [
    [0.5 - 0.12 * scale, 0.5],
    [0.5 + 0.12 * scale, 0.5],
  ] as const;
  const inside = (u: number, v: number) => centres.some(([cx, cy]) => Math.abs(Math.hypot(u - cx, v - cy) - r) <= width / 2);
  return (x, y) => {
    let hits = 0;
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (inside((x + (i + 0.5) / 4) / size, (y + (j + 0.5) / 4) / size)) hits++;
    return hits / 16;
  };
}

export const ACCENT = [0x1f, 0x5f, 0xa8] as const; // #1F5FA8, also accentColor in manifest.json

export function colorIcon(): Buffer {
  const cover = rings(192, 0.62);
  return encodePng(192, (x, y) => {
    const a = cover(x, y);
    const mix = (c: number) => Math.round(c * (1 - a) + 255 * a);
    return [mix(ACCENT[0]), mix(ACCENT[1]), mix(ACCENT[2]), 255];
  });
}

export function outlineIcon(): Buffer {
  const cover = rings(32, 1.35);
  return encodePng(32, (x, y) => [255, 255, 255, Math.round(255 * cover(x, y))]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const dir = import.meta.dirname;
  writeFileSync(join(dir, 'color.png'), colorIcon());
  writeFileSync(join(dir, 'outline.png'), outlineIcon());
  console.log(`wrote ${join(dir, 'color.png')} and ${join(dir, 'outline.png')}`);
}

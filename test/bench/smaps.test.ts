import { describe, expect, it } from 'vitest';
import { memoryMapOf, parseSmaps } from '../../bench/smaps.js';

// A shortened /proc/<pid>/smaps of the service on PGlite (x86-64 Linux), one mapping of each kind.
const mapping = (range: string, perms: string, name: string, rssKb: number) => `${range} ${perms} 00000000 00:00 0 ${name}\nSize: 4 kB\nRss: ${rssKb} kB\nPss: ${rssKb} kB\n`;
const SMAPS = [
  mapping('00400000-00b72000', 'r--p', '/usr/bin/node', 1000),
  mapping('308e8000-3390e000', 'rw-p', '[heap]', 2000),
  mapping('31e3e031e000-31e3e05fe000', 'rwxp', '', 300),
  // WASM memory: read-write, directly followed by its inaccessible guard reservation of 8 GiB.
  mapping('7f5044000000-7f504fc90000', 'rw-p', '', 50_000),
  mapping('7f504fc90000-7f524fc90000', '---p', '', 0),
  // A malloc arena: 64 MiB-aligned.
  mapping('7f54cc000000-7f54cdf18000', 'rw-p', '', 4000),
  // V8 heap pages: anywhere else.
  mapping('7f54d81c8000-7f54d87c8000', 'rw-p', '', 6000),
  mapping('7ffc1000-7ffc2000', 'rw-p', '[stack]', 100),
].join('');

describe('bench/smaps.ts: resident memory by mapping', () => {
  it('tells WASM memory, V8 code, malloc heap and arenas, files and the rest apart', () => {
    const map = memoryMapOf(parseSmaps(SMAPS));
    expect(map).toEqual({
      rss: (1000 + 2000 + 300 + 50_000 + 4000 + 6000 + 100) * 1024,
      wasm: 50_000 * 1024,
      wasmMemories: 1,
      v8Code: 300 * 1024,
      mallocHeap: 2000 * 1024,
      mallocArenas: 4000 * 1024,
      files: 1000 * 1024,
      otherAnonymous: (6000 + 100) * 1024,
    });
  });

  it('does not take a read-write mapping before a small inaccessible one for WASM memory', () => {
    const text = mapping('7f0000000000-7f0000100000', 'rw-p', '', 500) + mapping('7f0000100000-7f0000200000', '---p', '', 0);
    expect(memoryMapOf(parseSmaps(text))).toMatchObject({ wasm: 0, wasmMemories: 0, mallocArenas: 500 * 1024 });
  });
});

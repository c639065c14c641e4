/**
 * What a process's resident memory is made of, from /proc/<pid>/smaps (issue 17's soak): the
 * mappings grouped by what made them. Linux names only files, [heap] and [stack]; the rest is told
 * apart by shape, which is how V8 and glibc lay memory out on x86-64 Linux:
 * - WASM memory: V8 reserves a WebAssembly memory with a guard region of several GiB; the part in
 *   use is a read-write mapping directly followed by that inaccessible reservation (PGlite's
 *   PostgreSQL lives there: shared buffers, catalog caches, work memory).
 * - V8 code: the read-write-execute code space (JIT-compiled JavaScript and WASM).
 * - malloc arenas: glibc's per-thread arenas are 64 MiB-aligned anonymous mappings.
 * - malloc heap: the main arena ([heap], grown by brk).
 * - files: the node binary, shared libraries and mapped files.
 * - other anonymous: V8's JavaScript heap pages and large malloc blocks (ArrayBuffers and
 *   Buffers over the mmap threshold) and thread stacks.
 */
import { readFileSync } from 'node:fs';

export interface MemoryMap {
  rss: number;
  wasm: number;
  v8Code: number;
  mallocHeap: number;
  mallocArenas: number;
  files: number;
  otherAnonymous: number;
  /** How many WASM memories the process holds (PGlite: one per open instance). */
  wasmMemories: number;
}

interface Mapping {
  start: bigint;
  end: bigint;
  perms: string;
  name: string;
  rss: number;
}

const GiB = 1024n ** 3n;
const ARENA_ALIGN = 64n * 1024n * 1024n;

export function parseSmaps(text: string): Mapping[] {
  const mappings: Mapping[] = [];
  for (const line of text.split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) mappings.push({ start: BigInt(`0x${header[1]}`), end: BigInt(`0x${header[2]}`), perms: header[3]!, name: header[4]!, rss: 0 });
    else {
      const rss = /^Rss:\s+(\d+) kB/.exec(line);
      if (rss && mappings.length) mappings.at(-1)!.rss = Number(rss[1]) * 1024;
    }
  }
  return mappings;
}

export function memoryMapOf(mappings: Mapping[]): MemoryMap {
  const map: MemoryMap = { rss: 0, wasm: 0, v8Code: 0, mallocHeap: 0, mallocArenas: 0, files: 0, otherAnonymous: 0, wasmMemories: 0 };
  mappings.forEach((m, i) => {
    map.rss += m.rss;
    const next = mappings[i + 1];
    if (m.name.startsWith('/')) map.files += m.rss;
    else if (m.name === '[heap]') map.mallocHeap += m.rss;
    else if (m.name.startsWith('[')) map.otherAnonymous += m.rss;
    else if (m.perms.startsWith('rw') && next && next.start === m.end && next.perms.startsWith('---') && !next.name && next.end - next.start >= 4n * GiB) {
      map.wasm += m.rss;
      map.wasmMemories++;
    } else if (m.perms.includes('x')) map.v8Code += m.rss;
    else if (m.start % ARENA_ALIGN === 0n && m.perms.startsWith('rw')) map.mallocArenas += m.rss;
    else map.otherAnonymous += m.rss;
  });
  return map;
}

export function memoryMap(pid: number | 'self'): MemoryMap {
  return memoryMapOf(parseSmaps(readFileSync(`/proc/${pid}/smaps`, 'utf8')));
}

#!/usr/bin/env node
// `npm start`, `npm run kooperator` and `npx kooperator`: the command line from dist/, compiled
// JavaScript. A source newer than its compiled file (a fresh clone, a pull, an edit) is compiled
// again first with esbuild, file by file in a fraction of a second, as tsx compiles it in memory
// on every start; every later start runs plain JavaScript and skips tsx's module loader, which
// was half of a restart. `npm run build` (tsc, with type checks) writes the same files; the
// Docker image has no sources and runs what it built.
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = ['src', 'adapters', 'migrations'];
const OUT = join(ROOT, 'dist');

function* sources(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (error.code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

const stale = [];
for (const top of SOURCES) {
  for (const source of sources(join(ROOT, top))) {
    const target = join(OUT, relative(ROOT, source)).replace(/\.ts$/, '.js');
    if (mtime(target) < mtime(source)) stale.push({ source, target });
  }
}

if (stale.length > 0) {
  const { transform } = await import('esbuild');
  const { compilerOptions } = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8'));
  await Promise.all(
    stale.map(async ({ source, target }) => {
      const { code } = await transform(readFileSync(source, 'utf8'), {
        loader: 'ts',
        format: 'esm',
        target: 'node20',
        sourcefile: relative(ROOT, source),
        tsconfigRaw: { compilerOptions },
      });
      mkdirSync(dirname(target), { recursive: true });
      // Written aside and renamed: a second start compiling at the same moment never reads half a file.
      const temporary = `${target}.${process.pid}.tmp`;
      writeFileSync(temporary, code);
      renameSync(temporary, target);
    }),
  );
}

await import('../dist/src/cli.js');

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);

// STYLE.md rule 1: the core knows nothing of channels or drivers; src/main.ts is the composition root.
const PLATFORM_PACKAGES = ['@slack/bolt', '@slack/web-api', 'botbuilder', 'nodemailer', 'ical-generator', 'pg', '@electric-sql/pglite'];

describe('layering', () => {
  it('should keep platform SDKs and drivers out of src/', () => {
    const offences = sources(join(root, 'src')).flatMap((file) =>
      importsOf(file)
        .filter((spec) => PLATFORM_PACKAGES.some((p) => spec === p || spec.startsWith(`${p}/`)))
        .map((spec) => `${relative(root, file)} imports ${spec}`),
    );
    expect(offences).toEqual([]);
  });

  it('should let only src/main.ts import adapters/', () => {
    const offences = sources(join(root, 'src'))
      .filter((file) => relative(root, file) !== join('src', 'main.ts'))
      .flatMap((file) => importsOf(file).filter((spec) => spec.includes('/adapters/')).map((spec) => `${relative(root, file)} imports ${spec}`));
    expect(offences).toEqual([]);
  });

  it('should keep wall-clock reads out of the core (the clock is injected)', () => {
    const offences = sources(join(root, 'src'))
      .filter((file) => !file.endsWith('clock.ts'))
      .filter((file) => /\bnew Date\(\)|Date\.now\(\)/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file));
    expect(offences).toEqual([]);
  });
});

/**
 * The Lua scripts live in their own files, each headed with what it is called with and answers
 * (KEYS, ARGV, Returns), and each is one the code loads: a script renamed or left behind fails here,
 * not at start-up.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const files = (dir: string, ext: string) =>
  readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(ext))
    .map((f) => join(root, dir, f));

it('heads every Lua script with its KEYS, ARGV and return values, and loads each of them', () => {
  const scripts = files('src', '.lua');
  expect(scripts.length).toBeGreaterThanOrEqual(15);
  const code = files('src', '.ts')
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  for (const script of scripts) {
    const header = readFileSync(script, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('--'))
      .join('\n');
    const name = basename(script, '.lua');
    expect(header, name).toMatch(/-- KEYS\[1\]/);
    expect(header, name).toMatch(/-- Returns /);
    expect(code, name).toContain(`'${name}'`);
  }
  // No script is left inside the TypeScript.
  expect(code).not.toMatch(/redis\.call\('(?!CONFIG)/);
});

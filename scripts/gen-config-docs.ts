/**
 * Writes what `.env.example` and the README say about each platform's variables from the registry
 * (`src/platforms.ts`): `.env.example`'s platform sections and the README's table of platform
 * variables, each between its markers. `npm run docs:config` writes them; `npm run docs:check`
 * (part of `npm run check` and CI) fails, naming the file, when either is not current.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AnyPlatform } from '../adapters/shared/platform.ts';
import { aksitaKeyVariable, PLATFORMS } from '../src/platforms.ts';

/** Width of a section heading in `.env.example` (`# --- Telegram ----…`). */
const HEADING_WIDTH = 92;
const ENV_MARKERS = [
  '# >>> Platforms: written by `npm run docs:config` from adapters/<platform>/platform.ts; edit them there.',
  '# <<< Platforms',
] as const;
const README_MARKERS = [
  '<!-- platform-variables: written by `npm run docs:config` from adapters/<platform>/platform.ts; edit them there -->',
  '<!-- /platform-variables -->',
] as const;

/** `.env.example`'s section of one platform. */
export function envSection(platform: AnyPlatform): string {
  const lines = [`# --- ${platform.label} `.padEnd(HEADING_WIDTH, '-')];
  for (const doc of platform.docs) {
    lines.push(...doc.comment.map((line) => `# ${line}`));
    lines.push(...doc.names.map((name) => `${name}=${doc.examples?.[name] ?? ''}`));
  }
  lines.push(
    `# An Aksita key for ${platform.label} only (one with its own response format). Secret. Default: AKSITA_API_KEY.`,
    `${aksitaKeyVariable(platform.id)}=`,
  );
  return lines.join('\n');
}

/** The README's rows of one platform: variables, meaning, default. */
export function tableRows(platform: AnyPlatform): string[][] {
  const code = (names: readonly string[]) => names.map((name) => `\`${name}\``).join(', ');
  return [
    ...platform.docs.map((doc) => [code(doc.names), doc.meaning, doc.default]),
    [code([aksitaKeyVariable(platform.id)]), `the agent key of ${platform.label} only`, '`AKSITA_API_KEY`'],
  ];
}

/** A Markdown table with its columns padded, as the formatter writes it. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** `text` with what stands between `markers` replaced by `body`. */
export function between(
  text: string,
  markers: readonly [string, string],
  body: string,
  file: string,
): string {
  const start = text.indexOf(markers[0]);
  const end = text.indexOf(markers[1]);
  if (start === -1 || end < start) throw new Error(`${file} has lost its markers: ${markers.join(' … ')}`);
  return `${text.slice(0, start + markers[0].length)}\n${body}\n${text.slice(end)}`;
}

/** The generated files, by path relative to the repository, for `platforms`. */
export function generate(
  platforms: readonly AnyPlatform[],
  read: (file: string) => string,
): Record<string, string> {
  for (const platform of platforms) {
    const documented = platform.docs.flatMap((doc) => doc.names);
    const variables = Object.keys(platform.variables);
    const missing = variables.filter((name) => !documented.includes(name));
    const unknown = documented.filter((name) => !variables.includes(name));
    if (missing.length > 0 || unknown.length > 0) {
      throw new Error(
        `adapters/${platform.id}/platform.ts: docs must name each of its variables once (undocumented: ${missing.join(', ') || 'none'}; not a variable: ${unknown.join(', ') || 'none'})`,
      );
    }
  }
  const env = platforms.map(envSection).join('\n\n');
  const table = markdownTable(['variable', 'meaning', 'default'], platforms.flatMap(tableRows));
  return {
    '.env.example': between(read('.env.example'), ENV_MARKERS, `\n${env}\n`, '.env.example'),
    'README.md': between(read('README.md'), README_MARKERS, `\n${table}\n`, 'README.md'),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = new URL('../', import.meta.url);
  const path = (file: string) => fileURLToPath(new URL(file, root));
  const read = (file: string) => readFileSync(path(file), 'utf8');
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  for (const [file, text] of Object.entries(generate(PLATFORMS, read))) {
    if (read(file) === text) continue;
    if (check) stale.push(file);
    else writeFileSync(path(file), text);
  }
  if (stale.length > 0) {
    console.error(
      `${stale.join(' and ')} ${stale.length > 1 ? 'do' : 'does'} not match adapters/<platform>/platform.ts: run npm run docs:config`,
    );
    process.exit(1);
  }
}

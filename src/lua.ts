/**
 * Reads the bridge's Lua scripts from their own files (`*.lua` beside the code that runs them, each
 * headed with its KEYS, ARGV and return values). The files are found from the importing module's
 * URL, so they load the same under tsx (`src/`) and in the build (`dist/src/`, where `npm run build`
 * copies them).
 */
import { readFileSync } from 'node:fs';

/** The text of script `name` (`<name>.lua` in the folder `dir`, a URL ending in `/`). */
export function loadLua(dir: URL, name: string): string {
  return readFileSync(new URL(`${name}.lua`, dir), 'utf8');
}

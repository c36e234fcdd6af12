/**
 * The configuration docs (`scripts/gen-config-docs.ts`): written from the registry, current in the
 * repository, and growing with a platform added to the list.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate } from '../../scripts/gen-config-docs.ts';
import { PLATFORMS } from '../../src/platforms.ts';
import { EchoWire, echoPlatform } from '../support/echo-platform.ts';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

describe('the configuration docs written from the registry', () => {
  it('are what .env.example and the README say now', () => {
    const written = generate(PLATFORMS, read);
    expect(written['.env.example']).toBe(read('.env.example'));
    expect(written['README.md']).toBe(read('README.md'));
  });

  it("list a new platform's variables and its own Aksita key in both files", () => {
    const written = generate([...PLATFORMS, echoPlatform(new EchoWire())], read);
    const env = written['.env.example'] ?? '';
    expect(env).toMatch(
      /# --- Echo -+\n# The token every webhook call carries\. Turns Echo on\. Secret\.\nECHO_TOKEN=\n/,
    );
    expect(env).toContain('ECHO_SIGNATURE_HEADER=x-echo-token');
    expect(env).toContain('AKSITA_API_KEY_ECHO=');
    expect(written['README.md']).toMatch(/\| `ECHO_TOKEN` +\| enables Echo +\| unset: Echo off +\|/);
    expect(written['README.md']).toContain('`AKSITA_API_KEY_ECHO`');
  });

  it('refuse a platform whose docs leave a variable out', () => {
    const echo = echoPlatform(new EchoWire());
    const undocumented = { ...echo, docs: echo.docs.slice(0, 1) };
    expect(() => generate([undocumented], read)).toThrow(/undocumented: ECHO_SIGNATURE_HEADER/);
  });
});

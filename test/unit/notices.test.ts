import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import { loadNotices } from '../../src/notices.ts';

function file(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'notices-')), 'notices.json');
  writeFileSync(path, content);
  return path;
}

describe('loadNotices', () => {
  it('has every notice in English and Indonesian, and they differ', () => {
    const en = loadNotices('en');
    const id = loadNotices('id');
    expect(Object.keys(id)).toEqual(Object.keys(en));
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      expect(en[key].trim()).not.toBe('');
      expect(id[key]).not.toBe(en[key]);
    }
  });

  it("applies an operator's wording from BRIDGE_NOTICES_FILE", () => {
    const notices = loadNotices('id', file('{"textOnly": "Teks saja, ya!"}'));
    expect(notices.textOnly).toBe('Teks saja, ya!');
    expect(notices.welcome).toBe(loadNotices('id').welcome);
  });

  it('refuses an unknown key or a broken file, naming the variable', () => {
    expect(() => loadNotices('en', file('{"txtOnly": "x"}'))).toThrow(ConfigError);
    expect(() => loadNotices('en', file('{"txtOnly": "x"}'))).toThrow(
      /BRIDGE_NOTICES_FILE .*unknown notice "txtOnly"/,
    );
    expect(() => loadNotices('en', file('not json'))).toThrow(
      /BRIDGE_NOTICES_FILE .* could not be read as JSON/,
    );
    expect(() => loadNotices('en', file('{"welcome": ""}'))).toThrow(/must be a non-empty string/);
  });
});

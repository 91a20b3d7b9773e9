import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/app-config';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ogi-box-'));
  const box = (env: Record<string, string> = {}) => new SecretBox(loadConfig({ OGI_DATA_DIR: join(dir, 'data'), ...env }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('seals with a key file it creates 0600 at first use, which the next process reuses', () => {
    const first = box();
    const sealed = first.seal('ABCD2345', 'idempotency:s:k');
    expect(sealed).not.toContain('ABCD2345');
    expect(statSync(join(dir, 'data', 'secret.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'data', 'secret.key'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(box().open(sealed, 'idempotency:s:k')).toBe('ABCD2345');
  });

  it('opens nothing sealed for another place, with another key, or tampered with', () => {
    const sealed = box().seal('ABCD2345', 'mail:1');
    expect(box().open(sealed, 'mail:2')).toBeNull();
    expect(box({ OGI_SECRET_KEY: 'ab'.repeat(32) }).open(sealed, 'mail:1')).toBeNull();
    expect(box().open(`${sealed.slice(0, -2)}AA`, 'mail:1')).toBeNull();
    expect(box().open('v1.', 'mail:1')).toBeNull();
    expect(box().open('garbage', 'mail:1')).toBeNull();
  });

  it('uses OGI_SECRET_KEY when set, so that instances on several hosts share it', () => {
    const key = { OGI_SECRET_KEY: 'cd'.repeat(32) };
    expect(box(key).open(box(key).seal('X', 'c'), 'c')).toBe('X');
    expect(() => loadConfig({ OGI_SECRET_KEY: 'short' })).toThrow(/OGI_SECRET_KEY/);
  });
});

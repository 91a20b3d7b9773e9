import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('defaults to an SQLite file under ./data and port 3000', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, databaseKind: 'sqlite', smtpUrl: null, feePausesClock: true });
    expect(c.sqlitePath).toMatch(/data\/ogi-desk\.sqlite$/);
    expect(c.mailDir).toMatch(/data\/mail$/);
  });

  it('caps ledger uploads at 10 MB unless IMPORT_MAX_BYTES says otherwise', () => {
    expect(loadConfig({}).importMaxBytes).toBe(10 * 1024 * 1024);
    expect(loadConfig({ IMPORT_MAX_BYTES: '2097152' }).importMaxBytes).toBe(2 * 1024 * 1024);
  });

  it('selects PostgreSQL from a postgres:// URL', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@localhost:5432/db' }).databaseKind).toBe('postgres');
  });

  it('trusts no proxy unless TRUST_PROXY names them', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8 ,::1' }).trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8', '::1']);
    expect(loadConfig({ TRUST_PROXY: 'loopback' }).trustProxy).toEqual(['loopback']);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ SMTP_URL: 'http://mail' }, 'SMTP_URL'],
    [{ MAIL_FROM: 'nobody' }, 'MAIL_FROM'],
    [{ OGI_ADMIN_USERNAME: 'admin' }, 'OGI_ADMIN_PASSWORD'],
    [{ OGI_ADMIN_USERNAME: 'admin', OGI_ADMIN_PASSWORD: 'short' }, 'OGI_ADMIN_PASSWORD'],
    [{ FEE_PAUSES_CLOCK: 'maybe' }, 'FEE_PAUSES_CLOCK'],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '127.0.0.1, nginx.local' }, 'TRUST_PROXY'],
    [{ IMPORT_MAX_BYTES: '10MB' }, 'IMPORT_MAX_BYTES'],
    [{ IMPORT_MAX_BYTES: '100' }, 'IMPORT_MAX_BYTES'],
  ])('refuses %p naming %s', (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toContain(variable);
  });
});

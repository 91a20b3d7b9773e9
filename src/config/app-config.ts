import { isIP } from 'node:net';
import { join, resolve } from 'node:path';

export interface AppConfig {
  port: number;
  databaseUrl: string;
  databaseKind: 'sqlite' | 'postgres';
  /** Absolute path of the SQLite file (sqlite only). */
  sqlitePath: string | null;
  dataDir: string;
  smtpUrl: string | null;
  mailDir: string;
  mailFrom: string;
  mailPollMs: number;
  agencyName: string;
  /** The root agency's code (D22): followed at start-up while it is the platform's only agency. */
  agencyCode: string;
  /** Used in links inside e-mails. */
  publicBaseUrl: string;
  adminUsername: string | null;
  adminPassword: string | null;
  adminEmail: string | null;
  sessionHours: number;
  apiTokenHours: number;
  feePausesClock: boolean;
  /** Years after conclusion after which applicant data may be erased. */
  retentionYears: number;
  /** Per client and minute: public filing, status look-ups, sign-in. */
  rateLimitPublic: number;
  rateLimitLookupPerNumber: number;
  rateLimitLogin: number;
  /** Express `trust proxy`: the reverse proxies whose X-Forwarded-* headers count; false trusts none. */
  trustProxy: string[] | false;
  skipMigrations: boolean;
  /** SQLite: how long a statement waits for a lock before the request answers 503. */
  busyTimeoutMs: number;
  /** Largest ledger upload accepted (bytes); larger ones answer 413 before anything is parsed. */
  importMaxBytes: number;
  timeZone: string;
  /** Attachments (issue 18): largest file, largest total per request, largest total sent inside one e-mail (bytes). */
  attachmentMaxFileBytes: number;
  attachmentMaxRequestBytes: number;
  attachmentMailMaxBytes: number;
  /** 32 bytes (hex) that seal access codes kept until delivery; null: a key file in dataDir. */
  secretKey: string | null;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`配置错误 ${variable}: ${message}`);
  }
}

type Env = Record<string, string | undefined>;

function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `必须是整数，收到 "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `必须在 ${min} 到 ${max} 之间，收到 ${value}`);
  return value;
}

function readEmail(env: Env, name: string): string | null {
  const raw = env[name];
  if (!raw) return null;
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(raw)) throw new ConfigError(name, `不是有效的电子邮箱："${raw}"`);
  return raw;
}

function readBaseUrl(env: Env): string {
  const raw = env.PUBLIC_BASE_URL || `http://localhost:${env.PORT || 3000}`;
  if (!/^https?:\/\/[^\s]+$/.test(raw)) throw new ConfigError('PUBLIC_BASE_URL', '必须以 http:// 或 https:// 开头');
  return raw.replace(/\/+$/, '');
}

function readSecretKey(env: Env): string | null {
  const raw = env.OGI_SECRET_KEY;
  if (raw === undefined || raw === '') return null;
  if (!/^[0-9a-fA-F]{64}$/.test(raw)) throw new ConfigError('OGI_SECRET_KEY', '必须是 64 个十六进制字符（32 字节，例如 openssl rand -hex 32 的输出）');
  return raw.toLowerCase();
}

const TRUST_KEYWORDS = ['loopback', 'linklocal', 'uniquelocal'];

/** A comma-separated list of proxy addresses or CIDR ranges (or Express's keywords); unset trusts no proxy. */
function readTrustProxy(env: Env): string[] | false {
  const raw = (env.TRUST_PROXY ?? '').trim();
  if (!raw || ['false', 'off', 'no', '0', 'none'].includes(raw.toLowerCase())) return false;
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address);
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (TRUST_KEYWORDS.includes(entry) || (family && prefixOk && extra === undefined)) continue;
    throw new ConfigError('TRUST_PROXY', `须为代理服务器的 IP 地址或 CIDR 网段（逗号分隔），收到 "${entry}"`);
  }
  return entries;
}

function readBool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, `必须是 true 或 false，收到 "${raw}"`);
}

/**
 * The only place that reads process.env. Every variable is documented in README.md;
 * a bad value stops start-up with a message naming the variable.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const dataDir = resolve(env.OGI_DATA_DIR || 'data');
  const databaseUrl = env.DATABASE_URL || `sqlite:${join(dataDir, 'ogi-desk.sqlite')}`;
  let databaseKind: AppConfig['databaseKind'];
  let sqlitePath: string | null = null;
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    databaseKind = 'postgres';
    try {
      new URL(databaseUrl);
    } catch {
      throw new ConfigError('DATABASE_URL', '不是有效的 PostgreSQL 连接地址');
    }
  } else if (databaseUrl.startsWith('sqlite:')) {
    databaseKind = 'sqlite';
    const path = databaseUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new ConfigError('DATABASE_URL', 'sqlite: 后面需要文件路径');
    sqlitePath = path === ':memory:' ? path : resolve(path);
  } else {
    throw new ConfigError('DATABASE_URL', '必须以 postgres:// 或 sqlite: 开头');
  }

  const smtpUrl = env.SMTP_URL || null;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) {
    throw new ConfigError('SMTP_URL', '必须以 smtp:// 或 smtps:// 开头');
  }
  const agencyName = env.AGENCY_NAME || '某某人民政府办公室';
  if (agencyName.length > 100) throw new ConfigError('AGENCY_NAME', '最多 100 个字');
  const agencyCode = env.AGENCY_CODE || 'main';
  if (!AGENCY_CODE_PATTERN.test(agencyCode)) throw new ConfigError('AGENCY_CODE', '须为 2–8 位小写字母或数字，以字母开头');
  // Applicants see the sender's name: the agency's, quoted (nodemailer encodes it), never the software's.
  const mailFrom = env.MAIL_FROM || `"${agencyName.replace(/["\\<>]/g, '')}" <no-reply@localhost>`;
  if (!/@/.test(mailFrom)) throw new ConfigError('MAIL_FROM', '必须包含电子邮件地址');

  const adminUsername = env.OGI_ADMIN_USERNAME || null;
  const adminPassword = env.OGI_ADMIN_PASSWORD || null;
  if ((adminUsername === null) !== (adminPassword === null)) {
    throw new ConfigError(adminUsername ? 'OGI_ADMIN_PASSWORD' : 'OGI_ADMIN_USERNAME', 'OGI_ADMIN_USERNAME 与 OGI_ADMIN_PASSWORD 必须同时设置');
  }
  if (adminPassword !== null && adminPassword.length < 10) {
    throw new ConfigError('OGI_ADMIN_PASSWORD', '至少 10 个字符');
  }

  return {
    port: readInt(env, 'PORT', 3000, 0, 65535),
    databaseUrl,
    databaseKind,
    sqlitePath,
    dataDir,
    smtpUrl,
    mailDir: join(dataDir, 'mail'),
    mailFrom,
    mailPollMs: readInt(env, 'MAIL_POLL_MS', 2000, 50, 3_600_000),
    agencyName,
    agencyCode,
    publicBaseUrl: readBaseUrl(env),
    adminUsername,
    adminPassword,
    adminEmail: readEmail(env, 'OGI_ADMIN_EMAIL'),
    sessionHours: readInt(env, 'SESSION_HOURS', 8, 1, 24 * 30),
    apiTokenHours: readInt(env, 'API_TOKEN_HOURS', 24, 1, 24 * 365),
    feePausesClock: readBool(env, 'FEE_PAUSES_CLOCK', true),
    retentionYears: readInt(env, 'RETENTION_YEARS', 10, 1, 100),
    rateLimitPublic: readInt(env, 'RATE_LIMIT_PUBLIC', 30, 1, 1_000_000),
    rateLimitLookupPerNumber: readInt(env, 'RATE_LIMIT_LOOKUP_PER_NUMBER', 10, 1, 1_000_000),
    rateLimitLogin: readInt(env, 'RATE_LIMIT_LOGIN', 20, 1, 1_000_000),
    trustProxy: readTrustProxy(env),
    skipMigrations: readBool(env, 'DB_SKIP_MIGRATIONS', false),
    busyTimeoutMs: readInt(env, 'DB_BUSY_TIMEOUT_MS', 10_000, 1, 600_000),
    importMaxBytes: readInt(env, 'IMPORT_MAX_BYTES', 10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    timeZone: AGENCY_TIME_ZONE,
    secretKey: readSecretKey(env),
    attachmentMaxFileBytes: readInt(env, 'ATTACHMENT_MAX_FILE_MB', 50, 1, 1024) * MB,
    attachmentMaxRequestBytes: readInt(env, 'ATTACHMENT_MAX_REQUEST_MB', 200, 1, 10240) * MB,
    attachmentMailMaxBytes: readInt(env, 'ATTACHMENT_MAIL_MAX_MB', 10, 0, 100) * MB,
  };
}

const MB = 1024 * 1024;

/**
 * Dates in this system are calendar dates in Asia/Shanghai. The domain never reads the
 * process time zone, but log timestamps and third-party date helpers do, so start-up pins it.
 */
export const AGENCY_TIME_ZONE = 'Asia/Shanghai';
/** An agency's code: the deep link /a/{code} and the tracking-number prefix (the number column holds 20 characters). */
export const AGENCY_CODE_PATTERN = /^[a-z][a-z0-9]{1,7}$/;

export function pinProcessTimeZone(env: Env = process.env): void {
  env.TZ = AGENCY_TIME_ZONE;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

/** For entry points: a bad value prints one line naming the variable and stops the process. */
export function loadConfigOrExit(env: Env = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
}

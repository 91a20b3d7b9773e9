import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../database/private-files';

const VERSION = 'v1';
const KEY_FILE = 'secret.key';

/**
 * AES-256-GCM for the few secrets the app must hold for a while and never in clear: an access
 * code until its e-mail has gone out, or until an idempotent replay may ask for it (24 h).
 * The key is OGI_SECRET_KEY, or else `<OGI_DATA_DIR>/secret.key` (0600), created at first start;
 * it is never stored in the database, so a copy of the database alone reveals nothing.
 * Each value is bound to where it is stored (`context`, the additional authenticated data).
 */
@Injectable()
export class SecretBox implements OnModuleInit {
  private readonly logger = new Logger('SecretBox');
  private key: Buffer | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  onModuleInit(): void {
    this.keyBytes();
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keyBytes(), iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  /** The plain text, or null when the value was sealed with another key or for another place. */
  open(sealed: string, context: string): string | null {
    const [version, payload] = sealed.split('.');
    if (version !== VERSION || !payload) return null;
    const raw = Buffer.from(payload, 'base64url');
    if (raw.length < 28) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.keyBytes(), raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }

  private keyBytes(): Buffer {
    this.key ??= this.config.secretKey ? Buffer.from(this.config.secretKey, 'hex') : this.keyFromFile();
    return this.key;
  }

  private keyFromFile(): Buffer {
    const file = join(this.config.dataDir, KEY_FILE);
    try {
      if (!existsSync(file)) {
        makePrivateDir(this.config.dataDir);
        // Written aside and linked into place: of two instances starting together on one folder,
        // one key wins and neither reads a half-written file.
        const draft = `${file}.${process.pid}.tmp`;
        writeFileSync(draft, `${randomBytes(32).toString('hex')}\n`, { mode: PRIVATE_FILE_MODE });
        try {
          linkSync(draft, file);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        } finally {
          rmSync(draft, { force: true });
        }
      }
      const hex = readFileSync(file, 'utf8').trim();
      if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`${file} 不是 64 个十六进制字符`);
      if (this.config.databaseKind === 'postgres') this.logger.log(`key: ${file}; instances on other hosts need the same OGI_SECRET_KEY`);
      return Buffer.from(hex, 'hex');
    } catch (e) {
      // A read-only data folder (PostgreSQL + SMTP deployments need none): work on, but what is
      // sealed now cannot be opened after a restart. OGI_SECRET_KEY avoids this.
      this.logger.warn(`no key file (${(e as Error).message}); using a key for this process only: set OGI_SECRET_KEY`);
      return randomBytes(32);
    }
  }
}

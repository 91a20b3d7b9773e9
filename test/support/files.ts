import { createHash, randomBytes } from 'node:crypto';
import type request from 'supertest';

/** Small files of each kind the attachment checks tell apart, made here byte by byte. */
export function pdfBytes(size = 4096, seed = 'OGI'): Buffer {
  const head = Buffer.from(`%PDF-1.7\n% ${seed} 答复告知书\n`, 'utf8');
  const body = Buffer.alloc(Math.max(0, size - head.length - 6), 0x20);
  for (let i = 0; i < body.length; i += 97) body[i] = 0x30 + (i % 10);
  return Buffer.concat([head, body, Buffer.from('\n%%EOF')]).subarray(0, Math.max(size, head.length));
}

export const PNG_BYTES = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(200)]);
/** A Windows program's first bytes ("MZ", then the DOS stub). */
export const EXE_BYTES = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.from('This program cannot be run in DOS mode.'), randomBytes(300)]);

/** A ZIP whose entries are stored as given, except that each declares `declaredSize` bytes unpacked. */
export function zipBytes(entries: Array<{ name: string; data: Buffer; declaredSize?: number }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const unpacked = e.declaredSize ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(e.declaredSize === undefined ? 0 : 8, 8);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(unpacked, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(e.declaredSize === undefined ? 0 : 8, 10);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(unpacked, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.data);
    centrals.push(central, name);
    offset += 30 + name.length + e.data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** A "ZIP bomb" as declared: 10 entries of 1 KB each claiming 500 MB unpacked. */
export function zipBomb(): Buffer {
  return zipBytes(Array.from({ length: 10 }, (_, i) => ({ name: `part${i}.txt`, data: Buffer.alloc(1024), declaredSize: 500 * 1024 * 1024 })));
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** supertest's binary parser: the body as a Buffer whatever the Content-Type. */
export function binary(res: request.Response, done: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  const stream = res as unknown as NodeJS.ReadableStream;
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

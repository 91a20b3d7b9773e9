import busboy from 'busboy';
import type { Request } from 'express';
import { createHash } from 'node:crypto';
import { SNIFF_BYTES, ZIP_TAIL_BYTES } from '../domain/attachments';
import { CHUNK_BYTES } from './attachment-chunks';

export interface ReceivedFile {
  /** As the browser sent it, path included (checked by checkFileName). */
  rawName: string;
  size: number;
  sha256: string;
  chunkCount: number;
  /** The first bytes (content check) and the last ones (a ZIP's central directory). */
  head: Buffer;
  tail: Buffer;
  /** More bytes arrived than `limit`: nothing past it was stored. */
  overLimit: boolean;
}

export interface ReceivedUpload {
  fields: Record<string, string>;
  file: ReceivedFile | null;
  /** The body was not well-formed multipart. */
  malformed: boolean;
}

/**
 * Reads a multipart upload as it arrives: the `file` part is cut into CHUNK_BYTES chunks, each
 * handed to `store` (awaited, so a slow database slows the socket instead of filling memory),
 * hashed and counted on the way. Past `limit` bytes the rest is read and dropped, so that the
 * client receives the answer instead of a reset connection. Rejects when a chunk cannot be stored.
 */
export function receiveUpload(req: Request, limit: number, store: (seq: number, data: Buffer) => Promise<void>): Promise<ReceivedUpload> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    let file: Promise<ReceivedFile> | null = null;
    let malformed = false;
    let parser: ReturnType<typeof busboy>;
    try {
      parser = busboy({ headers: req.headers, defParamCharset: 'utf8', preservePath: true, limits: { files: 1, fields: 20, fieldSize: 4096, parts: 25, fileSize: limit + 1 } });
    } catch {
      // Not multipart at all, or no boundary.
      req.resume();
      resolve({ fields, file: null, malformed: true });
      return;
    }
    parser.on('field', (name, value) => (fields[name] = value));
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || file) {
        stream.resume();
        return;
      }
      file = storeStream(stream, info.filename ?? '', limit, store);
      // Awaited in finish(); this keeps an early database failure from counting as unhandled.
      file.catch(() => undefined);
    });
    parser.on('error', () => {
      malformed = true;
      req.unpipe(parser);
      req.resume();
      finish();
    });
    parser.on('close', () => finish());
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      const pending: Promise<ReceivedFile | null> = file ?? Promise.resolve(null);
      pending.then(
        (f) => resolve({ fields, file: f, malformed }),
        (e: unknown) => (malformed ? resolve({ fields, file: null, malformed }) : reject(e as Error)),
      );
    };
    req.pipe(parser);
  });
}

async function storeStream(stream: NodeJS.ReadableStream & { truncated?: boolean }, rawName: string, limit: number, store: (seq: number, data: Buffer) => Promise<void>): Promise<ReceivedFile> {
  const hash = createHash('sha256');
  let size = 0;
  let seq = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let head = Buffer.alloc(0);
  // The last chunks written, enough to hold ZIP_TAIL_BYTES: a ZIP's directory is read from them.
  const recent: Buffer[] = [];
  const flush = async () => {
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await store(seq++, data);
    recent.push(data);
    if (recent.length > ZIP_TAIL_BYTES / CHUNK_BYTES + 1) recent.shift();
  };
  let failure: unknown = null;
  for await (const part of stream) {
    const data = part as Buffer;
    if (failure) continue;
    try {
      hash.update(data);
      size += data.length;
      if (head.length < SNIFF_BYTES) head = Buffer.concat([head, data.subarray(0, SNIFF_BYTES - head.length)]);
      for (let offset = 0; offset < data.length;) {
        const take = Math.min(CHUNK_BYTES - pendingBytes, data.length - offset);
        pending.push(data.subarray(offset, offset + take));
        pendingBytes += take;
        offset += take;
        if (pendingBytes === CHUNK_BYTES) await flush();
      }
    } catch (e) {
      // Keep reading (and dropping) so that the answer reaches the client.
      failure = e;
    }
  }
  if (failure) throw failure as Error;
  if (pendingBytes) await flush();
  const all = Buffer.concat(recent);
  return { rawName, size, sha256: hash.digest('hex'), chunkCount: seq, head, tail: all.subarray(Math.max(0, all.length - ZIP_TAIL_BYTES)), overLimit: !!stream.truncated || size > limit };
}

import { Readable } from 'node:stream';
import { DataSource, EntityManager, In } from 'typeorm';
import { IDENTIFYING_KINDS } from '../domain/attachments';
import { RequestEventEntity } from '../requests/entities/request-event.entity';
import { AttachmentEntity } from './entities/attachment.entity';

const ERASED_TITLE = '（已依保存期限清除）';

/** Bytes per stored chunk: one row, and at most this much of a file in memory at a time. */
export const CHUNK_BYTES = 256 * 1024;

type Runner = Pick<EntityManager, 'query' | 'connection'>;

const placeholders = (r: Runner, n: number) => Array.from({ length: n }, (_, i) => (r.connection.options.type === 'postgres' ? `$${i + 1}` : '?'));

export async function writeChunk(m: Runner, attachmentId: string, seq: number, data: Buffer): Promise<void> {
  const [a, b, c] = placeholders(m, 3);
  await m.query(`INSERT INTO attachment_chunk (attachment_id, seq, data) VALUES (${a}, ${b}, ${c})`, [attachmentId, seq, data]);
}

export async function readChunk(m: Runner, attachmentId: string, seq: number): Promise<Buffer | null> {
  const [a, b] = placeholders(m, 2);
  const rows = await m.query<Array<{ data: Buffer }>>(`SELECT data FROM attachment_chunk WHERE attachment_id = ${a} AND seq = ${b}`, [attachmentId, seq]);
  return rows[0]?.data ?? null;
}

export async function deleteChunks(m: Runner, attachmentId: string): Promise<void> {
  const [a] = placeholders(m, 1);
  await m.query(`DELETE FROM attachment_chunk WHERE attachment_id = ${a}`, [attachmentId]);
}

/** The file's bytes, read one chunk at a time as the consumer asks for them; fails if a chunk is gone (withdrawn or erased meanwhile). */
export function chunkStream(source: DataSource, attachmentId: string, chunkCount: number): Readable {
  let seq = 0;
  return new Readable({
    highWaterMark: 1,
    objectMode: false,
    read() {
      if (seq >= chunkCount) {
        this.push(null);
        return;
      }
      readChunk(source.manager, attachmentId, seq++).then(
        (data) => (data ? this.push(data) : this.destroy(new Error(`attachment ${attachmentId}: chunk ${seq - 1} missing`))),
        (e: Error) => this.destroy(e),
      );
    },
  });
}

/**
 * Retention erasure (domain.md §7), inside the caller's transaction: the reply and internal papers
 * identify the applicant, so their bytes and names go; released information stays. The rows stay
 * (kind, size, dates), so nothing counted changes.
 */
export async function eraseIdentifyingAttachments(m: EntityManager, requestId: string, now: string): Promise<number> {
  const rows = await m.find(AttachmentEntity, { select: { id: true }, where: { requestId, kind: In([...IDENTIFYING_KINDS]), status: In(['active', 'withdrawn', 'uploading']) } });
  const erased = new Set(rows.map((r) => r.id));
  for (const r of rows) {
    await deleteChunks(m, r.id);
    await m.update(AttachmentEntity, { id: r.id }, { status: 'erased', title: ERASED_TITLE, fileName: '（已清除）', erasedAt: now });
  }
  // The timeline named the files by their titles: those go too, the entries stay.
  const events = erased.size ? await m.find(RequestEventEntity, { where: { requestId, type: In(['attachment_added', 'attachment_withdrawn']) } }) : [];
  for (const e of events) {
    const data = JSON.parse(e.payload) as Record<string, unknown>;
    if (typeof data.attachmentId === 'string' && erased.has(data.attachmentId)) await m.update(RequestEventEntity, { id: e.id }, { payload: JSON.stringify({ ...data, title: ERASED_TITLE }) });
  }
  return rows.length;
}

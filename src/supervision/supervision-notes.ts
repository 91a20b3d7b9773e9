import { EntityManager, In, IsNull } from 'typeorm';
import { SupervisionNoteEntity } from './entities/supervision-note.entity';

/** The notes an agency's next digest carries (oldest first); the digest marks them with its day. */
export function pendingSupervisionNotes(m: EntityManager, agencyId: number): Promise<SupervisionNoteEntity[]> {
  return m.find(SupervisionNoteEntity, { where: { agencyId, digestedOn: IsNull() }, order: { createdAt: 'ASC' }, take: 500 });
}

export async function markNotesDigested(m: EntityManager, ids: string[], day: string): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) await m.update(SupervisionNoteEntity, { id: In(ids.slice(i, i + 500)), digestedOn: IsNull() }, { digestedOn: day });
}

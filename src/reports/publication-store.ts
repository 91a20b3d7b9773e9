import { EntityManager } from 'typeorm';
import { currentAgencyId } from '../agencies/agency-scope';
import { ReportFormat } from '../domain/report';
import { ReportPublicationEntity } from './entities/report-publication.entity';

/** A publication without its figures: the history list, the publish answer and `published`. */
export interface PublicationSummary {
  year: number;
  number: number;
  publishedAt: string;
  publishedBy: string;
  publishedById: string | null;
  format: ReportFormat;
  reason: string | null;
}

export function toPublicationSummary(p: ReportPublicationEntity): PublicationSummary {
  return { year: p.year, number: p.number, publishedAt: p.publishedAt, publishedBy: p.publishedBy, publishedById: p.publishedById, format: p.format as ReportFormat, reason: p.reason };
}

/** Publications are the current agency's (agency-scope.ts). The year's latest publication: what `published`, R5 and the default diff compare with. */
export function latestPublication(m: EntityManager, year: number): Promise<ReportPublicationEntity | null> {
  return m.findOne(ReportPublicationEntity, { where: { agencyId: currentAgencyId(), year }, order: { number: 'DESC' } });
}

export function findPublication(m: EntityManager, year: number, number: number): Promise<ReportPublicationEntity | null> {
  return m.findOneBy(ReportPublicationEntity, { agencyId: currentAgencyId(), year, number });
}

/** The year's publications, oldest first, without their figures. */
export async function listPublications(m: EntityManager, year: number): Promise<PublicationSummary[]> {
  const rows = await m.find(ReportPublicationEntity, {
    select: { year: true, number: true, publishedAt: true, publishedBy: true, publishedById: true, format: true, reason: true },
    where: { agencyId: currentAgencyId(), year },
    order: { number: 'ASC' },
  });
  return rows.map(toPublicationSummary);
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An administrator-loaded holiday arrangement; replaces the packaged data for its year. */
@Entity('calendar_year')
export class CalendarYearEntity {
  @PrimaryColumn({ type: 'integer' })
  year: number;

  /** JSON array of YYYY-MM-DD. */
  @Column({ type: 'text' })
  holidays: string;

  /** JSON array of YYYY-MM-DD. */
  @Column({ name: 'make_up_workdays', type: 'text' })
  makeUpWorkdays: string;

  @Column({ type: 'varchar', length: 200 })
  source: string;

  @Column({ name: 'updated_at', type: 'varchar', length: 30 })
  updatedAt: string;

  @Column({ name: 'updated_by', type: 'varchar', length: 100 })
  updatedBy: string;
}

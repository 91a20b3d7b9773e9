import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('job_run')
export class JobRunEntity {
  @PrimaryColumn({ type: 'varchar', length: 60 })
  job: string;

  @PrimaryColumn({ name: 'run_on', type: 'varchar', length: 10 })
  runOn: string;

  @Column({ name: 'started_at', type: 'varchar', length: 30 })
  startedAt: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  result: string | null;
}

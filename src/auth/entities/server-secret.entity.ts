import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A random key shared by every instance through the database (e.g. the CSRF HMAC key). */
@Entity('server_secret')
export class ServerSecretEntity {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  name: string;

  @Column({ type: 'varchar', length: 128 })
  value: string;

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt: string;
}

import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Clock } from './clock';
import { IdempotencyRecordEntity } from './entities/idempotency-record.entity';
import { IdempotencyService } from './idempotency.service';
import { SecretBox } from './secret-box';
import { UnitOfWork } from './unit-of-work';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([IdempotencyRecordEntity])],
  providers: [Clock, UnitOfWork, IdempotencyService, SecretBox],
  exports: [Clock, UnitOfWork, IdempotencyService, SecretBox],
})
export class CommonModule {}

import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { IdempotencyService } from './idempotency.service';
import { SecretBox } from './secret-box';
import { UnitOfWork } from './unit-of-work';

@Global()
@Module({
  providers: [Clock, UnitOfWork, IdempotencyService, SecretBox],
  exports: [Clock, UnitOfWork, IdempotencyService, SecretBox],
})
export class CommonModule {}

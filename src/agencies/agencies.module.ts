import { Global, Module } from '@nestjs/common';
import { AgenciesApiController } from './agencies-api.controller';
import { AgenciesPagesController } from './agencies-pages.controller';
import { AgenciesService } from './agencies.service';

/** The agency tree; global, as every feature reads the agency of its records. */
@Global()
@Module({
  controllers: [AgenciesApiController, AgenciesPagesController],
  providers: [AgenciesService],
  exports: [AgenciesService],
})
export class AgenciesModule {}

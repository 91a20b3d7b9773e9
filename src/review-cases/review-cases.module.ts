import { Module } from '@nestjs/common';
import { ReviewCasesApiController } from './review-cases-api.controller';
import { ReviewCasesPagesController } from './review-cases-pages.controller';
import { ReviewCasesService } from './review-cases.service';

@Module({
  controllers: [ReviewCasesApiController, ReviewCasesPagesController],
  providers: [ReviewCasesService],
  exports: [ReviewCasesService],
})
export class ReviewCasesModule {}

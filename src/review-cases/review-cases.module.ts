import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ReviewCaseEntity } from './entities/review-case.entity';
import { ReviewCasesApiController } from './review-cases-api.controller';
import { ReviewCasesPagesController } from './review-cases-pages.controller';
import { ReviewCasesService } from './review-cases.service';

@Module({
  imports: [TypeOrmModule.forFeature([ReviewCaseEntity])],
  controllers: [ReviewCasesApiController, ReviewCasesPagesController],
  providers: [ReviewCasesService],
  exports: [ReviewCasesService],
})
export class ReviewCasesModule {}

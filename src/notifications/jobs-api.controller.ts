import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../auth/permissions';
import { DailyDigestService, DigestResult } from './daily-digest.service';

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('api/v1/jobs')
export class JobsApiController {
  constructor(private readonly digest: DailyDigestService) {}

  /** Runs today's digest now, unless it already ran today (in any instance). */
  @RequirePermission('jobs.run')
  @Post('daily-digest')
  @HttpCode(200)
  runDigest(): Promise<DigestResult> {
    return this.digest.sendDailyDigest();
  }
}

import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { CurrentStaff } from '../auth/current-staff.decorator';
import { RequirePermission } from '../auth/permissions';
import type { StaffPrincipal } from '../auth/roles';
import { Clock } from '../common/clock';
import { ReportsService } from '../reports/reports.service';
import { RollupAccess } from '../rollups/rollup-access';
import { RollupService } from '../rollups/rollup.service';
import { NOTE_MAX_LENGTH, SupervisionService } from './supervision.service';

export class SupervisionNoteDto {
  @IsString({ message: '督办意见必须是文本。' })
  @MaxLength(NOTE_MAX_LENGTH, { message: `督办意见最多 ${NOTE_MAX_LENGTH} 个字。` })
  note: string;
}

/** 督办 by API: the subtree's figures per agency, and a supervision note on one of its requests. */
@ApiTags('agencies')
@ApiBearerAuth()
@Controller('api/v1/agencies')
export class SupervisionApiController {
  constructor(
    private readonly access: RollupAccess,
    private readonly supervision: SupervisionService,
    private readonly rollups: RollupService,
    private readonly reports: ReportsService,
    private readonly clock: Clock,
  ) {}

  @RequirePermission('supervision.view')
  @Get(':code/supervision')
  @ApiQuery({ name: 'year', required: false })
  async overview(@Param('code') code: string, @CurrentStaff() staff: StaffPrincipal, @Query('year') yearRaw?: string) {
    const target = await this.access.supervised(staff, code);
    const year = yearRaw ? this.reports.parseYear(yearRaw) : Number(this.clock.today().slice(0, 4));
    const { lines, dueSoonBy } = await this.supervision.overview(target, year, await this.rollups.agencySet(target.subtree, target.platformSize));
    return { year, dueSoonBy, items: lines };
  }

  /** → 201 {requestId, trackingNumber, agency}: on the request's timeline and in the agency's next digest. */
  @RequirePermission('supervision.note')
  @Post(':code/requests/:id/supervision-notes')
  async note(@Param('code') code: string, @Param('id') id: string, @Body() body: SupervisionNoteDto, @CurrentStaff() staff: StaffPrincipal) {
    const target = await this.access.supervised(staff, code);
    const sent = await this.supervision.sendNote(target, staff, id, body.note);
    return { requestId: sent.requestId, trackingNumber: sent.trackingNumber, agency: sent.agencyCode };
  }
}

import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentStaff } from '../auth/current-staff.decorator';
import { RequirePermission } from '../auth/permissions';
import type { StaffPrincipal } from '../auth/roles';
import { AgenciesService, AgencyNode, AgencyView } from './agencies.service';
import { CreateAgencyDto } from './dto/create-agency.dto';

/** The agency tree (api-contract "Several agencies on one platform"). */
@ApiTags('agencies')
@ApiBearerAuth()
@Controller('api/v1/agencies')
export class AgenciesApiController {
  constructor(private readonly agencies: AgenciesService) {}

  /** The root agency's administrator adds an agency under a parent. */
  @RequirePermission('agencies.manage')
  @Post()
  create(@Body() body: CreateAgencyDto, @CurrentStaff() staff: StaffPrincipal): Promise<AgencyView> {
    return this.agencies.create(body, staff);
  }

  /** The tree: every agency with its children (the filing page lists the same agencies publicly). */
  @RequirePermission('staff.self')
  @Get()
  async tree(): Promise<{ items: AgencyNode[] }> {
    return { items: await this.agencies.tree() };
  }
}

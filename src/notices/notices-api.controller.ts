import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiParam, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { RequirePermission } from '../auth/permissions';
import { CurrentStaff } from '../auth/current-staff.decorator';
import type { StaffPrincipal } from '../auth/roles';
import { NotFoundError } from '../domain/errors';
import { isNoticeKind, NOTICE_KINDS, noticeText } from '../domain/notices';
import { RequestNoticesService } from '../requests/request-notices.service';
import { RemedySettingsService } from './remedy-settings.service';

export class NoticeTextView {
  @ApiProperty({ enum: NOTICE_KINDS })
  kind: string;

  @ApiProperty({ example: '政府信息公开申请答复告知书' })
  title: string;

  @ApiProperty({ description: '文书全文，与打印件和发送给申请人的电子邮件正文逐字相同；日期写作 2025年6月20日' })
  text: string;
}

export class RemedySettingsView {
  @ApiProperty({ type: String, nullable: true, example: '某某县人民政府', description: '行政复议机关（D16）；未设置为 null，文书使用“依法向行政复议机关”' })
  reviewOrgan: string | null;

  @ApiProperty({ type: String, nullable: true, example: '某某县人民法院', description: '提起行政诉讼的人民法院（D16）；未设置为 null' })
  court: string | null;
}

export class RemedySettingsDto {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 100, example: '某某县人民政府', description: '不提供则不变；null 或空字符串清除' })
  @IsOptional()
  @IsString({ message: '行政复议机关必须是文本。' })
  reviewOrgan?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 100, example: '某某县人民法院', description: '不提供则不变；null 或空字符串清除；须以“法院”结尾' })
  @IsOptional()
  @IsString({ message: '人民法院必须是文本。' })
  court?: string | null;
}

/** The notices of a request as text (registered in RequestsModule: it reads requests). */
@ApiTags('requests')
@ApiBearerAuth()
@Controller('api/v1/requests')
export class NoticesApiController {
  constructor(private readonly requestNotices: RequestNoticesService) {}

  @RequirePermission('requests.view')
  @Get(':id/notices/:kind')
  @ApiParam({ name: 'kind', enum: NOTICE_KINDS })
  @ApiOkResponse({ type: NoticeTextView, description: '404 when the request has no such notice yet' })
  async text(@Param('id') id: string, @Param('kind') kind: string): Promise<NoticeTextView> {
    if (!isNoticeKind(kind)) throw new NotFoundError('没有这种文书。');
    const notice = await this.requestNotices.noticeFor(id, kind);
    return { kind, title: notice.title, text: noticeText(notice) };
  }
}

/** D16: the review organ and the court named in reply notices. */
@ApiTags('settings')
@ApiBearerAuth()
@Controller('api/v1/settings/remedies')
export class RemedySettingsApiController {
  constructor(private readonly settings: RemedySettingsService) {}

  @RequirePermission('requests.view')
  @Get()
  @ApiOkResponse({ type: RemedySettingsView })
  get(): Promise<RemedySettingsView> {
    return this.settings.current();
  }

  @RequirePermission('settings.manage')
  @Put()
  @ApiOkResponse({ type: RemedySettingsView })
  put(@Body() body: RemedySettingsDto, @CurrentStaff() staff: StaffPrincipal): Promise<RemedySettingsView> {
    return this.settings.save(body, staff.displayName);
  }
}

import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { IdempotencyService } from '../common/idempotency.service';
import { AccountView, AuthService } from './auth.service';
import { CurrentStaff } from './current-staff.decorator';
import { AccountListResponse, AccountResponse, CreateAccountDto, ResetPasswordDto, UpdateAccountDto } from './dto/account.dto';
import { RequirePermission } from './permissions';
import { Role, StaffPrincipal } from './roles';

/** Staff accounts for provisioning scripts; the same rules as /staff/accounts. */
@ApiTags('accounts')
@ApiBearerAuth()
@Controller('api/v1/accounts')
export class AccountsApiController {
  constructor(
    private readonly auth: AuthService,
    private readonly idempotency: IdempotencyService,
  ) {}

  @RequirePermission('accounts.manage')
  @Post()
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiResponse({ status: 201, type: AccountResponse })
  @ApiResponse({ status: 409, description: '用户名已存在' })
  async create(
    @Body() body: CreateAccountDto,
    @CurrentStaff() staff: StaffPrincipal,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AccountView> {
    const agencyId = await this.auth.accountAgency(body.agency);
    // The password is never part of the stored fingerprint: not even its hash leaves scrypt.
    const { password: _password, ...fingerprint } = body;
    const result = await this.idempotency.run(`api:accounts:${staff.id}`, key, fingerprint, async () => {
      const created = await this.auth.createUser(body.username.trim(), body.displayName.trim(), body.password, body.roles as Role[], body.email?.trim() ?? null, agencyId);
      return { status: 201, body: await this.auth.getAccount(created.id) };
    });
    res.status(result.status);
    return result.body;
  }

  @RequirePermission('accounts.manage')
  @Get()
  @ApiOkResponse({ type: AccountListResponse })
  async list(): Promise<{ items: AccountView[] }> {
    return { items: await this.auth.listAccounts() };
  }

  @RequirePermission('accounts.manage')
  @Patch(':id')
  @ApiOkResponse({ type: AccountResponse })
  @ApiResponse({ status: 409, description: '停用自己、去掉自己的管理员角色，或去掉最后一个启用的管理员' })
  update(@Param('id') id: string, @Body() body: UpdateAccountDto, @CurrentStaff() staff: StaffPrincipal): Promise<AccountView> {
    return this.auth.updateAccount(id, { ...body, roles: body.roles as Role[] | undefined }, staff.id);
  }

  @RequirePermission('accounts.manage')
  @Post(':id/password')
  @HttpCode(204)
  @ApiResponse({ status: 204, description: '已重设；该账号的全部会话和 API 令牌已失效' })
  async resetPassword(@Param('id') id: string, @Body() body: ResetPasswordDto): Promise<void> {
    await this.auth.resetPassword(id, body.password);
  }
}

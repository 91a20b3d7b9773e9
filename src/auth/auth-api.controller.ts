import { RequirePermission } from './permissions';
import { Body, Controller, Delete, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuthService } from './auth.service';
import { CurrentStaff } from './current-staff.decorator';
import { ChangeOwnPasswordDto } from './dto/account.dto';
import { TokenRequestDto } from './dto/token.dto';
import type { StaffPrincipal } from './roles';
import { presentedToken } from './staff-auth.guard';
import { Public } from './public.decorator';
import { RateLimited } from '../common/rate-limit';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthApiController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @RateLimited('login')
  @Post('token')
  @HttpCode(200)
  async issueToken(@Body() body: TokenRequestDto, @Req() req: Request): Promise<{ token: string; expiresAt: string }> {
    const principal = await this.auth.authenticate(body.username, body.password, req.ip);
    return this.auth.createSession(principal, 'api');
  }

  /** One's own change; every other session and token of the account is revoked, the one used here stays. */
  @RequirePermission('staff.self')
  @RateLimited('login')
  @ApiBearerAuth()
  @Post('password')
  @HttpCode(204)
  async changePassword(@Body() body: ChangeOwnPasswordDto, @CurrentStaff() staff: StaffPrincipal, @Req() req: Request): Promise<void> {
    await this.auth.changePassword(staff.id, body.currentPassword, body.newPassword, presentedToken(req));
  }

  /** Revokes the token used for this call. */
  @RequirePermission('staff.self')
  @ApiBearerAuth()
  @Delete('token')
  @HttpCode(204)
  async revokeToken(@Req() req: Request): Promise<void> {
    const token = presentedToken(req);
    if (token) await this.auth.revoke(token);
  }
}

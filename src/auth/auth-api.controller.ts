import { RequirePermission } from './permissions';
import { Body, Controller, Delete, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuthService } from './auth.service';
import { TokenRequestDto } from './dto/token.dto';
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
  async issueToken(@Body() body: TokenRequestDto): Promise<{ token: string; expiresAt: string }> {
    const principal = await this.auth.authenticate(body.username, body.password);
    return this.auth.createSession(principal, 'api');
  }

  /** Revokes the token used for this call. */
  @RequirePermission('staff.self')
  @ApiBearerAuth()
  @Delete('token')
  @HttpCode(204)
  async revokeToken(@Req() req: Request): Promise<void> {
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (token) await this.auth.revoke(token);
  }
}

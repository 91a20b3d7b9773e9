import { Module } from '@nestjs/common';
import { AccountsApiController } from './accounts-api.controller';
import { AuthApiController } from './auth-api.controller';
import { AuthService } from './auth.service';
import { ServerSecretService } from './server-secret.service';
import { SignInAttempts } from './sign-in-attempts';

@Module({
  controllers: [AuthApiController, AccountsApiController],
  providers: [AuthService, SignInAttempts, ServerSecretService],
  exports: [AuthService, ServerSecretService],
})
export class AuthModule {}

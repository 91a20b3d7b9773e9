import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsApiController } from './accounts-api.controller';
import { AuthApiController } from './auth-api.controller';
import { AuthService } from './auth.service';
import { StaffSessionEntity } from './entities/staff-session.entity';
import { StaffUserEntity } from './entities/staff-user.entity';
import { ServerSecretService } from './server-secret.service';
import { SignInAttempts } from './sign-in-attempts';

@Module({
  imports: [TypeOrmModule.forFeature([StaffUserEntity, StaffSessionEntity])],
  controllers: [AuthApiController, AccountsApiController],
  providers: [AuthService, SignInAttempts, ServerSecretService],
  exports: [AuthService, ServerSecretService],
})
export class AuthModule {}

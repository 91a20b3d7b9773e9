import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthApiController } from './auth-api.controller';
import { AuthService } from './auth.service';
import { StaffSessionEntity } from './entities/staff-session.entity';
import { StaffUserEntity } from './entities/staff-user.entity';

@Module({
  imports: [TypeOrmModule.forFeature([StaffUserEntity, StaffSessionEntity])],
  controllers: [AuthApiController],
  providers: [AuthService],
  exports: [AuthService],
})
export class AuthModule {}

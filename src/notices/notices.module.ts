import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgencySettingEntity } from '../reports/entities/agency-setting.entity';
import { RemedySettingsApiController } from './notices-api.controller';
import { RemedySettingsService } from './remedy-settings.service';
import { SettingsPagesController } from './settings-pages.controller';

/** Notice settings (D16). The notice text endpoint reads requests and sits in RequestsModule. */
@Module({
  imports: [TypeOrmModule.forFeature([AgencySettingEntity])],
  controllers: [RemedySettingsApiController, SettingsPagesController],
  providers: [RemedySettingsService],
  exports: [RemedySettingsService],
})
export class NoticesModule {}

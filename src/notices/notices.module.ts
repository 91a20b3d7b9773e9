import { Module } from '@nestjs/common';
import { RemedySettingsApiController } from './notices-api.controller';
import { RemedySettingsService } from './remedy-settings.service';
import { SettingsPagesController } from './settings-pages.controller';

/** Notice settings (D16). The notice text endpoint reads requests and sits in RequestsModule. */
@Module({
  controllers: [RemedySettingsApiController, SettingsPagesController],
  providers: [RemedySettingsService],
  exports: [RemedySettingsService],
})
export class NoticesModule {}

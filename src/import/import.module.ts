import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { CalendarModule } from '../calendar/calendar.module';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RequestsModule } from '../requests/requests.module';
import { ImportPagesController } from './import-pages.controller';
import { ImportService } from './import.service';

@Module({
  imports: [
    CalendarModule,
    RequestsModule,
    // Uploads are held in memory only up to IMPORT_MAX_BYTES; a larger one stops there with a 413.
    MulterModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ limits: { fileSize: config.importMaxBytes, files: 1, fields: 5, parts: 6 } }),
    }),
  ],
  controllers: [ImportPagesController],
  providers: [ImportService],
  exports: [ImportService],
})
export class ImportModule {}

import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { ThrottlerModule } from '@nestjs/throttler';
import { RateLimitGuard, rateLimitOptions } from './common/rate-limit';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgenciesModule } from './agencies/agencies.module';
import { AttachmentsModule } from './attachments/attachments.module';
import { AuthModule } from './auth/auth.module';
import { StaffAuthGuard } from './auth/staff-auth.guard';
import { CalendarAdminModule } from './calendar/calendar-admin.module';
import { CalendarModule } from './calendar/calendar.module';
import { CommonModule } from './common/common.module';
import { HttpErrorFilter } from './common/http-error.filter';
import { createValidationPipe } from './common/validation';
import { APP_CONFIG, AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './database/data-source';
import { runMigrationsUnderLock, tuneConnection } from './database/migrate';
import { DatabaseModule } from './database/read-data-source';
import { DigestModule } from './notifications/digest.module';
import { NotificationsModule } from './notifications/notifications.module';
import { PublicPagesModule } from './public/public-pages.module';
import { ImportModule } from './import/import.module';
import { ReportsModule } from './reports/reports.module';
import { RollupsModule } from './rollups/rollups.module';
import { SupervisionModule } from './supervision/supervision.module';
import { RequestsModule } from './requests/requests.module';
import { ReviewCasesModule } from './review-cases/review-cases.module';
import { StaffPagesModule } from './staff/staff-pages.module';

@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.register(config),
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (c: AppConfig) => buildDataSourceOptions(c),
          dataSourceFactory: async (options) => {
            const ds = await new DataSource(options!).initialize();
            await tuneConnection(ds);
            if (!config.skipMigrations) await runMigrationsUnderLock(ds);
            return ds;
          },
        }),
        DatabaseModule,
        ScheduleModule.forRoot(),
        ThrottlerModule.forRootAsync({ inject: [APP_CONFIG], useFactory: rateLimitOptions }),
        CommonModule,
        AgenciesModule,
        AuthModule,
        CalendarModule,
        CalendarAdminModule,
        NotificationsModule,
        RequestsModule,
        PublicPagesModule,
        StaffPagesModule,
        DigestModule,
        ReviewCasesModule,
        ReportsModule,
        RollupsModule,
        SupervisionModule,
        ImportModule,
        AttachmentsModule,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useClass: StaffAuthGuard },
      ],
    };
  }
}

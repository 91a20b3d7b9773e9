import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { loadConfigOrExit, pinProcessTimeZone } from './config/app-config';
import { configureApp } from './configure-app';
import { makeDataFolderPrivate, makeSqliteFilesPrivate } from './database/private-files';
import { checkDataFolder } from './database/storage-check';

async function bootstrap(): Promise<void> {
  // Everything the app writes (database, mail files, keys) is for its own account only.
  process.umask(0o077);
  pinProcessTimeZone();
  const config = loadConfigOrExit();
  const storageProblem = config.databaseKind === 'sqlite' || !config.smtpUrl ? checkDataFolder(config) : null;
  if (storageProblem) {
    console.error(storageProblem);
    process.exit(1);
  }
  // Folders and files that earlier versions left readable by every local user.
  makeDataFolderPrivate(config.dataDir);
  if (config.sqlitePath && config.sqlitePath !== ':memory:') makeSqliteFilesPrivate(config.sqlitePath);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), { bodyParser: false });
  configureApp(app, config);
  app.enableShutdownHooks();
  await app.listen(config.port);
  const logger = new Logger('OGI Desk');
  logger.log(`listening on http://localhost:${config.port} (citizens: /, staff: /staff, API docs: /api/docs)`);
  logger.log(`database: ${config.databaseKind}; mail: ${config.smtpUrl ? 'SMTP' : `files under ${config.mailDir}`}`);
}

void bootstrap();

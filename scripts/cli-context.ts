import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../src/app.module';
import { loadConfigOrExit, pinProcessTimeZone } from '../src/config/app-config';

/** The application without HTTP, for command-line tools: same configuration, same database. */
export async function createCliContext(): Promise<INestApplicationContext> {
  process.umask(0o077); // files written by the tools are for the app's account only, as in main.ts
  pinProcessTimeZone();
  const config = loadConfigOrExit();
  return NestFactory.createApplicationContext(AppModule.register(config), { logger: ['error', 'warn'] });
}

export function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  const inline = args.find((a) => a.startsWith(`--${name}=`));
  return inline?.slice(name.length + 3);
}

export function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

import { Injectable } from '@nestjs/common';
import { IsoDate, shanghaiDateOf } from '../domain/calendar';

/** The one place the app reads the system clock; tests replace it to fix "today". */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }

  today(): IsoDate {
    return shanghaiDateOf(this.now());
  }

  nowIso(): string {
    return this.now().toISOString();
  }
}

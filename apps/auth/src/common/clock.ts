import { Injectable } from '@nestjs/common';

/** The time, behind a class so that use cases unit-test without waiting. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

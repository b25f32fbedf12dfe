import { Controller, Get } from '@nestjs/common';
import { CurrentCaller, type Caller } from '../common/caller';
import { MeService } from './me.service';

/** The signed-in user, whatever their role. */
@Controller('api/v1/me')
export class MeHttpController {
  constructor(private readonly me: MeService) {}

  @Get()
  get(@CurrentCaller() caller: Caller) {
    return this.me.execute(caller);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { Public } from '@lib/auth-verify';
import { SensitiveResponse } from '@lib/service-kit';
import { Requires } from '@lib/permissions';
import { CurrentCaller, type Caller } from '../common/caller';
import { Client, type ClientInfo } from '../common/client-info';
import { AcceptInvitationRequest, CreateInvitationRequest, InvitationIdParam } from './dto/invitations.requests';
import { InvitationsService } from './invitations.service';

@Controller('api/v1/invitations')
export class InvitationsHttpController {
  constructor(private readonly invitations: InvitationsService) {}

  /** The answer carries the invitation token: never stored for Idempotency-Key replays. */
  @Post()
  @SensitiveResponse()
  @Requires('invitations', 'create')
  create(@CurrentCaller() caller: Caller, @Body() body: CreateInvitationRequest) {
    return this.invitations.create(caller, body);
  }

  @Get()
  @Requires('invitations', 'read')
  list(@CurrentCaller() caller: Caller) {
    return this.invitations.listPending(caller);
  }

  @Delete(':id')
  @Requires('invitations', 'delete')
  @HttpCode(204)
  revoke(@CurrentCaller() caller: Caller, @Param() p: InvitationIdParam) {
    return this.invitations.revoke(caller, p.id);
  }

  /** Public: the invitation token is the credential. */
  @Public()
  @SensitiveResponse()
  @Post('accept')
  accept(@Body() body: AcceptInvitationRequest, @Client() client: ClientInfo) {
    return this.invitations.accept(body, client);
  }
}

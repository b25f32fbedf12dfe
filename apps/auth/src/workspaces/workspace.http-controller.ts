import { Body, Controller, Get, HttpCode, Patch, Post, Put } from '@nestjs/common';
import { Requires } from '@lib/permissions';
import { CurrentCaller, type Caller } from '../common/caller';
import { Client, type ClientInfo } from '../common/client-info';
import { ChangePlanRequest, TransferOwnershipRequest, UpdateWorkspaceRequest } from './dto/workspace.requests';
import { WorkspaceService } from './workspace.service';

/** The caller's own workspace (there is no way to name another one). */
@Controller('api/v1/workspace')
export class WorkspaceHttpController {
  constructor(private readonly workspaces: WorkspaceService) {}

  @Get()
  @Requires('workspace', 'read')
  get(@CurrentCaller() caller: Caller) {
    return this.workspaces.get(caller);
  }

  @Patch()
  @Requires('workspace', 'update')
  update(@CurrentCaller() caller: Caller, @Body() body: UpdateWorkspaceRequest, @Client() client: ClientInfo) {
    return this.workspaces.update(caller, body, client);
  }

  /** Moves the workspace to another plan; its limits become that plan's. Refused while usage exceeds them. */
  @Put('plan')
  @Requires('workspace', 'billing')
  changePlan(@CurrentCaller() caller: Caller, @Body() body: ChangePlanRequest, @Client() client: ClientInfo) {
    return this.workspaces.changePlan(caller, body.plan, client);
  }

  @Post('transfer-ownership')
  @Requires('workspace', 'transfer')
  @HttpCode(204)
  transfer(@CurrentCaller() caller: Caller, @Body() body: TransferOwnershipRequest) {
    return this.workspaces.transferOwnership(caller, body.userId);
  }
}

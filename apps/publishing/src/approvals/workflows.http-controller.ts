import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { CurrentUser, type AccessClaims } from '@lib/auth-verify';
import { CurrentPermission, CurrentSubject, Requires, type Decision, type PermissionSubject } from '@lib/permissions';
import { actorOf } from '../posts/posts.http-controller';
import { CreateWorkflowRequest, ListWorkflowsRequest, UpdateWorkflowRequest, WorkflowIdParam } from './dto/workflow.requests';
import { WorkflowsService } from './workflows.service';

@Controller('api/v1/workflows')
export class WorkflowsHttpController {
  constructor(private readonly workflows: WorkflowsService) {}

  @Post()
  @Requires('workflows', 'create')
  create(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Body() body: CreateWorkflowRequest) {
    return this.workflows.create(actorOf(u, s, p), body);
  }

  @Get()
  @Requires('workflows', 'read')
  list(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Query() q: ListWorkflowsRequest) {
    return this.workflows.list(actorOf(u, s, p), q);
  }

  @Get(':id')
  @Requires('workflows', 'read')
  get(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: WorkflowIdParam) {
    return this.workflows.get(actorOf(u, s, p), param.id);
  }

  @Patch(':id')
  @Requires('workflows', 'update')
  update(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: WorkflowIdParam, @Body() body: UpdateWorkflowRequest) {
    return this.workflows.update(actorOf(u, s, p), param.id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Requires('workflows', 'delete')
  remove(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: WorkflowIdParam) {
    return this.workflows.remove(actorOf(u, s, p), param.id);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { Requires } from '@lib/permissions';
import { CurrentActor } from '../posts/current-actor';
import type { Actor } from '../posts/posts.service';
import { CreateWorkflowRequest, ListWorkflowsRequest, UpdateWorkflowRequest, WorkflowIdParam } from './dto/workflow.requests';
import { WorkflowsService } from './workflows.service';

@Controller('api/v1/workflows')
export class WorkflowsHttpController {
  constructor(private readonly workflows: WorkflowsService) {}

  @Post()
  @Requires('workflows', 'create')
  create(@CurrentActor() actor: Actor, @Body() body: CreateWorkflowRequest) {
    return this.workflows.create(actor, body);
  }

  @Get()
  @Requires('workflows', 'read')
  list(@CurrentActor() actor: Actor, @Query() q: ListWorkflowsRequest) {
    return this.workflows.list(actor, q);
  }

  @Get(':id')
  @Requires('workflows', 'read')
  get(@CurrentActor() actor: Actor, @Param() param: WorkflowIdParam) {
    return this.workflows.get(actor, param.id);
  }

  @Patch(':id')
  @Requires('workflows', 'update')
  update(@CurrentActor() actor: Actor, @Param() param: WorkflowIdParam, @Body() body: UpdateWorkflowRequest) {
    return this.workflows.update(actor, param.id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Requires('workflows', 'delete')
  remove(@CurrentActor() actor: Actor, @Param() param: WorkflowIdParam) {
    return this.workflows.remove(actor, param.id);
  }
}

import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CurrentSubject, Requires, type PermissionSubject } from '@lib/permissions';
import { PostIdParam } from '../posts/dto/post.requests';
import { CurrentActor } from '../posts/current-actor';
import type { Actor } from '../posts/posts.service';
import { ApprovalsService } from './approvals.service';
import { ApprovalIdParam, ApproveRequest, ListApprovalsRequest, RejectRequest, SubmitPostRequest } from './dto/approval.requests';

/**
 * Approvals rows. Acting needs only posts:read at the route: the use case lets exactly the row's
 * approver act (see ApprovalsService.decide for why posts:approve is not required).
 */
@Controller('api/v1/approvals')
export class ApprovalsHttpController {
  constructor(private readonly approvals: ApprovalsService) {}

  @Get()
  @Requires('posts', 'read')
  list(@CurrentActor() actor: Actor, @Query() q: ListApprovalsRequest) {
    return this.approvals.list(actor, q);
  }

  @Get(':id')
  @Requires('posts', 'read')
  get(@CurrentActor() actor: Actor, @Param() param: ApprovalIdParam) {
    return this.approvals.get(actor, param.id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Requires('posts', 'read')
  approve(@CurrentActor() actor: Actor, @CurrentSubject() s: PermissionSubject, @Param() param: ApprovalIdParam, @Body() body: ApproveRequest) {
    return this.approvals.decide(actor, s, param.id, 'APPROVED', body.comments ?? null);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Requires('posts', 'read')
  reject(@CurrentActor() actor: Actor, @CurrentSubject() s: PermissionSubject, @Param() param: ApprovalIdParam, @Body() body: RejectRequest) {
    return this.approvals.decide(actor, s, param.id, 'REJECTED', body.comments);
  }
}

/** A post's side of the flow: submit it for approval, and read its review. */
@Controller('api/v1/posts/:id')
export class PostReviewHttpController {
  constructor(private readonly approvals: ApprovalsService) {}

  @Post('submit')
  @HttpCode(200)
  @Requires('posts', 'update')
  submit(@CurrentActor() actor: Actor, @CurrentSubject() s: PermissionSubject, @Param() param: PostIdParam, @Body() body: SubmitPostRequest) {
    return this.approvals.submit(actor, s, param.id, body);
  }

  @Get('approvals')
  @Requires('posts', 'read')
  forPost(@CurrentActor() actor: Actor, @Param() param: PostIdParam) {
    return this.approvals.forPost(actor, param.id);
  }
}

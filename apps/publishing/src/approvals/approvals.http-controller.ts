import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CurrentUser, type AccessClaims } from '@lib/auth-verify';
import { CurrentPermission, CurrentSubject, Requires, type Decision, type PermissionSubject } from '@lib/permissions';
import { PostIdParam } from '../posts/dto/post.requests';
import { actorOf } from '../posts/posts.http-controller';
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
  list(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Query() q: ListApprovalsRequest) {
    return this.approvals.list(actorOf(u, s, p), q);
  }

  @Get(':id')
  @Requires('posts', 'read')
  get(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: ApprovalIdParam) {
    return this.approvals.get(actorOf(u, s, p), param.id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Requires('posts', 'read')
  approve(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: ApprovalIdParam, @Body() body: ApproveRequest) {
    return this.approvals.decide(actorOf(u, s, p), s, param.id, 'APPROVED', body.comments ?? null);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Requires('posts', 'read')
  reject(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: ApprovalIdParam, @Body() body: RejectRequest) {
    return this.approvals.decide(actorOf(u, s, p), s, param.id, 'REJECTED', body.comments);
  }
}

/** A post's side of the flow: submit it for approval, and read its review. */
@Controller('api/v1/posts/:id')
export class PostReviewHttpController {
  constructor(private readonly approvals: ApprovalsService) {}

  @Post('submit')
  @HttpCode(200)
  @Requires('posts', 'update')
  submit(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: PostIdParam, @Body() body: SubmitPostRequest) {
    return this.approvals.submit(actorOf(u, s, p), s, param.id, body);
  }

  @Get('approvals')
  @Requires('posts', 'read')
  forPost(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: PostIdParam) {
    return this.approvals.forPost(actorOf(u, s, p), param.id);
  }
}

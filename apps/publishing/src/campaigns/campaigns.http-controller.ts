import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { CurrentUser, type AccessClaims } from '@lib/auth-verify';
import { DomainError, ErrorCodes } from '@lib/contracts';
import { CurrentPermission, CurrentSubject, Requires, evaluate, type Decision, type PermissionSubject } from '@lib/permissions';
import { actorOf } from '../posts/posts.http-controller';
import { CampaignIdParam, CampaignPostsRequest, CampaignTransitionRequest, CreateCampaignRequest, ListCampaignsRequest, UpdateCampaignRequest } from './dto/campaign.requests';
import { CampaignsService } from './campaigns.service';

@Controller('api/v1/campaigns')
export class CampaignsHttpController {
  constructor(private readonly campaigns: CampaignsService) {}

  @Post()
  @Requires('campaigns', 'create')
  create(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Body() body: CreateCampaignRequest) {
    return this.campaigns.create(actorOf(u, s, p), body);
  }

  @Get()
  @Requires('campaigns', 'read')
  list(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Query() q: ListCampaignsRequest) {
    return this.campaigns.list(actorOf(u, s, p), q);
  }

  @Get(':id')
  @Requires('campaigns', 'read')
  get(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: CampaignIdParam) {
    return this.campaigns.get(actorOf(u, s, p), param.id);
  }

  /** The posts are narrowed by the caller's posts:read grant (own posts, some networks), as in the posts list. */
  @Get(':id/posts')
  @Requires('campaigns', 'read')
  posts(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @Param() param: CampaignIdParam, @Query() q: CampaignPostsRequest) {
    const postsRead = evaluate(s, 'posts', 'read');
    if (!postsRead.allowed) throw new DomainError(ErrorCodes.forbidden, 'Your role does not allow read on posts', { resource: 'posts', action: 'read' });
    return this.campaigns.posts(actorOf(u, s, postsRead), param.id, q);
  }

  @Patch(':id')
  @Requires('campaigns', 'update')
  update(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: CampaignIdParam, @Body() body: UpdateCampaignRequest) {
    return this.campaigns.update(actorOf(u, s, p), param.id, body);
  }

  @Post(':id/transitions')
  @HttpCode(200)
  @Requires('campaigns', 'update')
  transition(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: CampaignIdParam, @Body() body: CampaignTransitionRequest) {
    return this.campaigns.transition(actorOf(u, s, p), param.id, body.to);
  }

  @Delete(':id')
  @HttpCode(204)
  @Requires('campaigns', 'delete')
  remove(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: CampaignIdParam) {
    return this.campaigns.remove(actorOf(u, s, p), param.id);
  }
}

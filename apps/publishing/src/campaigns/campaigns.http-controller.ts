import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { CurrentUser, type AccessClaims } from '@lib/auth-verify';
import { DomainError, ErrorCodes } from '@lib/contracts';
import { CurrentSubject, Requires, evaluate, type PermissionSubject } from '@lib/permissions';
import { CurrentActor, actorOf } from '../posts/current-actor';
import type { Actor } from '../posts/posts.service';
import { CampaignIdParam, CampaignPostsRequest, CampaignTransitionRequest, CreateCampaignRequest, ListCampaignsRequest, UpdateCampaignRequest } from './dto/campaign.requests';
import { CampaignsService } from './campaigns.service';

@Controller('api/v1/campaigns')
export class CampaignsHttpController {
  constructor(private readonly campaigns: CampaignsService) {}

  @Post()
  @Requires('campaigns', 'create')
  create(@CurrentActor() actor: Actor, @Body() body: CreateCampaignRequest) {
    return this.campaigns.create(actor, body);
  }

  @Get()
  @Requires('campaigns', 'read')
  list(@CurrentActor() actor: Actor, @Query() q: ListCampaignsRequest) {
    return this.campaigns.list(actor, q);
  }

  @Get(':id')
  @Requires('campaigns', 'read')
  get(@CurrentActor() actor: Actor, @Param() param: CampaignIdParam) {
    return this.campaigns.get(actor, param.id);
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
  update(@CurrentActor() actor: Actor, @Param() param: CampaignIdParam, @Body() body: UpdateCampaignRequest) {
    return this.campaigns.update(actor, param.id, body);
  }

  @Post(':id/transitions')
  @HttpCode(200)
  @Requires('campaigns', 'update')
  transition(@CurrentActor() actor: Actor, @Param() param: CampaignIdParam, @Body() body: CampaignTransitionRequest) {
    return this.campaigns.transition(actor, param.id, body.to);
  }

  @Delete(':id')
  @HttpCode(204)
  @Requires('campaigns', 'delete')
  remove(@CurrentActor() actor: Actor, @Param() param: CampaignIdParam) {
    return this.campaigns.remove(actor, param.id);
  }
}

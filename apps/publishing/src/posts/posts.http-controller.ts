import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { Requires } from '@lib/permissions';
import { CreatePostRequest, ListPostsRequest, PostIdParam, TransitionRequest, UpdatePostRequest } from './dto/post.requests';
import { CurrentActor } from './current-actor';
import { PostsService, type Actor } from './posts.service';

/** The caller as the use cases see it, with any narrowing from their permission overrides. */
@Controller('api/v1/posts')
export class PostsHttpController {
  constructor(private readonly posts: PostsService) {}

  @Post()
  @Requires('posts', 'create')
  create(@CurrentActor() actor: Actor, @Body() body: CreatePostRequest) {
    return this.posts.create(actor, body);
  }

  @Get()
  @Requires('posts', 'read')
  list(@CurrentActor() actor: Actor, @Query() q: ListPostsRequest) {
    return this.posts.list(actor, q);
  }

  @Get(':id')
  @Requires('posts', 'read')
  get(@CurrentActor() actor: Actor, @Param() param: PostIdParam) {
    return this.posts.get(actor, param.id);
  }

  @Patch(':id')
  @Requires('posts', 'update')
  update(@CurrentActor() actor: Actor, @Param() param: PostIdParam, @Body() body: UpdatePostRequest) {
    return this.posts.update(actor, param.id, body);
  }

  @Post(':id/transitions')
  @HttpCode(200)
  @Requires('posts', 'update')
  transition(@CurrentActor() actor: Actor, @Param() param: PostIdParam, @Body() body: TransitionRequest) {
    return this.posts.transition(actor, param.id, body.to);
  }

  @Delete(':id')
  @HttpCode(204)
  @Requires('posts', 'delete')
  remove(@CurrentActor() actor: Actor, @Param() param: PostIdParam) {
    return this.posts.remove(actor, param.id);
  }
}

import { Module } from '@nestjs/common';
import { PostsHttpController } from './posts.http-controller';
import { PostsService } from './posts.service';

@Module({ controllers: [PostsHttpController], providers: [PostsService] })
export class PostsModule {}

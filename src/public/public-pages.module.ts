import { Module } from '@nestjs/common';
import { RequestsModule } from '../requests/requests.module';
import { PublicPagesController } from './public-pages.controller';

@Module({ imports: [RequestsModule], controllers: [PublicPagesController] })
export class PublicPagesModule {}

import { Module } from '@nestjs/common';
import { NamesController } from './names.controller.js';
import { NamesService } from './names.service.js';

/** Names for the ids lists carry (customers, contacts, operators), for pages that show people. */
@Module({
  controllers: [NamesController],
  providers: [NamesService],
})
export class NamesModule {}

import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/access.decorator.js';
import { Processing } from '../privacy/processing.decorator.js';
import { NamesQuery } from './names.dto.js';
import { NAMES_READ } from './names.processing.js';
import { NamesService } from './names.service.js';

@ApiTags('names')
@ApiBearerAuth()
@Controller('api/names')
export class NamesController {
  constructor(private readonly names: NamesService) {}

  /** `?ids=a,b,c` -> `{ items: [{ id, kind, name }], total }`; an id that names nobody is left out. */
  @Get()
  @Roles('operator', 'supervisor', 'dpo')
  @Processing(NAMES_READ)
  lookup(@Query() q: NamesQuery) {
    return this.names.lookup(q.ids);
  }
}

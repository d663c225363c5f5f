import { BadRequestException, ParseUUIDPipe } from '@nestjs/common';

/** A route's id parameter: a malformed id is a 400 naming the parameter, before any lookup. */
export const uuidParam = (name: string) => new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException(`${name} must be a UUID`) });

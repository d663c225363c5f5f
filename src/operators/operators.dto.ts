import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ROLES, type Role } from '../auth/access.decorator.js';

export class CreateOperatorDto {
  @ApiProperty({ example: 'anna@alarm.example' })
  @IsEmail({ require_tld: false }, { message: 'email must be an email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'Anna Lind' })
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxLength(120)
  name: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role: Role;

  @ApiProperty({ minLength: 12 })
  @IsString()
  @MinLength(12, { message: 'password must be at least 12 characters' })
  @MaxLength(256)
  password: string;
}

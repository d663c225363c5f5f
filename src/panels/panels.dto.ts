import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { SingleLine } from '../common/text-field.js';
import { DC09_ENCRYPTION, DEFAULT_SUPERVISION_SECONDS, PANEL_PROTOCOLS, type Dc09Encryption, type PanelProtocol } from './panel.entity.js';

/** AES-128, -192 or -256, as installers type it into a panel: hex. */
export const DC09_KEY = /^(?:[0-9A-Fa-f]{32}|[0-9A-Fa-f]{48}|[0-9A-Fa-f]{64})$/;
/** As real panels send it: `#1`, ten digits, hex, letters. */
export const DC09_ACCOUNT = /^[0-9A-Za-z]{1,16}$/;

export class Dc09SettingsDto {
  @ApiProperty({ example: '1234', description: "the panel's account exactly as it sends it (#acct): 1-16 letters or digits, leading zeros kept; unique" })
  @IsString({ message: 'account must be a string' })
  @Matches(DC09_ACCOUNT, { message: 'account must be 1 to 16 letters or digits, as the panel sends it (e.g. 1234 or 000110)' })
  account: string;

  @ApiPropertyOptional({
    example: '00112233445566778899AABBCCDDEEFF',
    description: 'AES key as 32, 48 or 64 hex digits; generated (AES-256) when absent, shown once',
  })
  @IsOptional()
  @IsString({ message: 'key must be a string' })
  @Matches(DC09_KEY, { message: 'key must be 32, 48 or 64 hex digits (AES-128, -192 or -256)' })
  key?: string;

  @ApiPropertyOptional({ enum: DC09_ENCRYPTION, default: 'required', description: 'optional: plain (unencrypted) frames are accepted too' })
  @IsOptional()
  @IsIn(DC09_ENCRYPTION, { message: 'encryption must be "required" or "optional"' })
  encryption?: Dc09Encryption;
}

export class CreatePanelDto {
  @ApiPropertyOptional({ example: 'Hall, main panel', maxLength: 100, nullable: true })
  @IsOptional()
  @SingleLine(100)
  label?: string | null;

  @ApiPropertyOptional({
    default: DEFAULT_SUPERVISION_SECONDS,
    minimum: 60,
    maximum: 7 * 24 * 3600,
    description: 'a panel silent longer than this is overdue (its test signal is missing)',
  })
  @IsOptional()
  @IsInt({ message: 'supervisionIntervalSeconds must be a whole number of seconds' })
  @Min(60, { message: 'supervisionIntervalSeconds must be at least 60' })
  @Max(7 * 24 * 3600, { message: 'supervisionIntervalSeconds must be at most 604800 (7 days)' })
  supervisionIntervalSeconds?: number;

  @ApiPropertyOptional({ enum: PANEL_PROTOCOLS, default: 'http', description: 'http: signed JSON events; dc09: SIA DC-09 over TCP/UDP' })
  @IsOptional()
  @IsIn(PANEL_PROTOCOLS, { message: 'protocol must be "http" or "dc09"' })
  protocol?: PanelProtocol;

  @ApiPropertyOptional({ type: Dc09SettingsDto, description: 'required when protocol is dc09, refused otherwise' })
  @ValidateIf((o: CreatePanelDto) => o.protocol === 'dc09')
  @IsObject({ message: 'dc09 must be an object with account (and optionally key and encryption) when protocol is dc09' })
  @ValidateNested()
  @Type(() => Dc09SettingsDto)
  dc09?: Dc09SettingsDto;
}

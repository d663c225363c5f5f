import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/access.decorator.js';
import { AppConfig } from '../config/app-config.js';
import { NoPersonalData } from '../privacy/processing.decorator.js';
import { Dc09Receiver } from './dc09-receiver.js';

/** What an installer types into a panel's receiver settings, besides the panel's own account and key. */
@ApiTags('panels')
@ApiBearerAuth()
@Controller('api/settings/dc09')
export class Dc09SettingsController {
  constructor(
    private readonly config: AppConfig,
    private readonly receiver: Dc09Receiver,
  ) {}

  @Get()
  @Roles('operator', 'supervisor')
  @NoPersonalData("the receiver's address and settings, the same for every panel")
  settings() {
    const address = this.receiver.address();
    return {
      enabled: this.receiver.enabled,
      listening: address !== null,
      // The name the world reaches this service by; a panel on the same network may need another.
      host: new URL(this.config.publicBaseUrl).hostname,
      port: address?.tcp ?? this.config.dc09.port,
      transports: ['tcp', 'udp'],
      timestampWindow: this.config.dc09.window,
    };
  }
}

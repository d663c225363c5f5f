import { describe, expect, it } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import { withoutStartUpChatter } from './logging.module.js';

describe('withoutStartUpChatter', () => {
  const recorder = () => {
    const lines: Array<[string, unknown, unknown[]]> = [];
    const at =
      (level: string) =>
      (message: unknown, ...params: unknown[]) =>
        void lines.push([level, message, params]);
    const logger: LoggerService = { log: at('info'), error: at('error'), warn: at('warn'), debug: at('debug'), verbose: at('verbose'), fatal: at('fatal') };
    return { lines, logger: withoutStartUpChatter(logger) };
  };

  it("moves Nest's module and route listing to debug", () => {
    const { lines, logger } = recorder();
    logger.log('Mapped {/api/customers, GET} route', 'RouterExplorer');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('CustomersController {/api/customers}:', 'RoutesResolver');
    expect(lines.map(([level]) => level)).toEqual(['debug', 'debug', 'debug']);
  });

  it('keeps every other line at its level, with its context', () => {
    const { lines, logger } = recorder();
    logger.log('DC-09 receiver listening on TCP and UDP port 12128', 'Dc09Receiver');
    logger.warn('ENCRYPTION_KEY is not set', 'FieldCipher');
    logger.error('boom', 'stack', 'EscalationEngine');
    expect(lines).toEqual([
      ['info', 'DC-09 receiver listening on TCP and UDP port 12128', ['Dc09Receiver']],
      ['warn', 'ENCRYPTION_KEY is not set', ['FieldCipher']],
      ['error', 'boom', ['stack', 'EscalationEngine']],
    ]);
  });
});

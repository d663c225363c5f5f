import { Controller, Get, Optional, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../auth/access.decorator.js';
import { FieldCipher } from '../common/field-cipher.js';
import { Dc09Receiver } from '../dc09/dc09-receiver.js';
import { EmbeddedDatabaseState } from '../database/embedded-database-state.js';
import { DatabaseProbe } from './database-probe.js';
import { NoPersonalData } from '../privacy/processing.decorator.js';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: DatabaseProbe,
    private readonly indicators: HealthIndicatorService,
    private readonly dc09: Dc09Receiver,
    private readonly cipher: FieldCipher,
    /** Only when the app runs the embedded PostgreSQL (no DATABASE_URL). */
    @Optional() private readonly embedded?: EmbeddedDatabaseState,
  ) {}

  /**
   * 200 when the database answers within a second and the DC-09 receiver (unless DC09_PORT=off) is
   * listening; 503 (with Retry-After) when either is not: panels could not report to this instance.
   * While the embedded PostgreSQL is being restarted after it died, `database` says so:
   * `{ status: 'down', state: 'restarting', message, since, attempts }` (attempts: failed restarts so far).
   * `encryption.keyId` names the field-encryption key in use (a check value, never the key): the app
   * does not start with a key other than the one the data was encrypted with.
   */
  @Get()
  @Public('load balancers and container health checks')
  @NoPersonalData('reports only whether the database answers, the DC-09 receiver listens and which key id is in use')
  async check(@Res({ passthrough: true }) res: Response) {
    try {
      return await this.health.check([() => this.database(), () => this.receiver(), () => this.encryption()]);
    } catch (e) {
      res.setHeader('Retry-After', '5');
      throw e;
    }
  }

  private async database() {
    const check = this.indicators.check('database');
    // Not asked: a backend of the dead server can still answer SELECT 1 for a moment after its postmaster died.
    const embedded = this.embedded;
    if (embedded?.phase === 'restarting') {
      const exit = embedded.lastExit;
      return check.down({
        state: 'restarting',
        message: `the embedded PostgreSQL${exit ? ` (pid ${exit.pid}) exited with ${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}` : ' died'}; restarting it`,
        since: exit?.at.toISOString(),
        attempts: embedded.attempts,
      });
    }
    try {
      return check.up({ responseTime: await this.db.ping() });
    } catch (e) {
      return check.down({ message: (e as Error).message });
    }
  }

  private receiver() {
    const check = this.indicators.check('dc09');
    if (!this.dc09.enabled) return check.up({ listening: false, disabled: true });
    const address = this.dc09.address();
    return address ? check.up({ listening: true, tcpPort: address.tcp, udpPort: address.udp }) : check.down({ listening: false });
  }

  private encryption() {
    const check = this.indicators.check('encryption');
    const keyId = this.cipher.keyId;
    return keyId ? check.up({ keyId }) : check.down({ message: 'no encryption key loaded' });
  }
}

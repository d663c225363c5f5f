import { Injectable, type MessageEvent } from '@nestjs/common';
import { bufferTime, concatMap, filter, from, share, type Observable } from 'rxjs';
import { AlarmChanges } from '../alarm-model/alarm-changes.js';
import { AlarmsService } from './alarms.service.js';

/** Changes are gathered this long and read together: the most the live queue lags behind. */
export const FEED_WINDOW_MS = 100;

/**
 * The live queue (GET /api/alarms/stream): server-sent events for committed changes of any alarm,
 * from any instance (AlarmChanges hears them all), each carrying the alarm as the list shows it.
 *
 * Changes are gathered for FEED_WINDOW_MS, and every alarm that changed in that window is read
 * once, all in one query, and sent once, as it is now. One read per change, one after another,
 * was fine for a quiet night but fell a minute behind in an alarm storm (10,000 alarms, several
 * changes each), exactly when the operators need the queue. Each window is read once however many
 * operators are watching, and only while someone is.
 */
@Injectable()
export class AlarmFeed {
  readonly events$: Observable<MessageEvent>;

  constructor(changes: AlarmChanges, alarms: AlarmsService) {
    this.events$ = changes.changes$.pipe(
      bufferTime(FEED_WINDOW_MS),
      filter((window) => window.length > 0),
      concatMap(async (window) => alarms.views([...new Set(window.map((c) => c.alarmId))]).catch(() => [])),
      concatMap((views) => from(views.map((view): MessageEvent => ({ type: 'alarm', id: view.id, data: view })))),
      share(),
    );
  }
}

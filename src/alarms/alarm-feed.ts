import { Injectable, type MessageEvent } from '@nestjs/common';
import { concatMap, filter, map, share, type Observable } from 'rxjs';
import { AlarmChanges } from './alarm-changes.js';
import { AlarmsService, type AlarmView } from './alarms.service.js';

/**
 * The live queue (GET /api/alarms/stream): one server-sent event per committed change of any alarm,
 * from any instance (AlarmChanges hears them all), carrying the alarm as the list shows it. Each
 * change is read once, however many operators are watching, and only while someone is.
 */
@Injectable()
export class AlarmFeed {
  readonly events$: Observable<MessageEvent>;

  constructor(changes: AlarmChanges, alarms: AlarmsService) {
    this.events$ = changes.changes$.pipe(
      concatMap((change) => alarms.view(change.alarmId).catch(() => undefined)),
      filter((view): view is AlarmView => !!view),
      map((view): MessageEvent => ({ type: 'alarm', id: view.id, data: view })),
      share(),
    );
  }
}

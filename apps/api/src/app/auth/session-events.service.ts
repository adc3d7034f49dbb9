import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type Observable, Subject } from 'rxjs';

/**
 * Sessions ended in this process (sign-out), by token hash, so a live stream opened with that
 * session closes at once. Sessions ended elsewhere (another instance, expiry, a disabled account)
 * are caught by each stream's periodic re-check of its session (StreamController).
 */
@Injectable()
export class SessionEvents implements OnModuleDestroy {
  private readonly ended = new Subject<string>();
  readonly ended$: Observable<string> = this.ended.asObservable();

  end(tokenHash: string): void {
    this.ended.next(tokenHash);
  }

  onModuleDestroy(): void {
    this.ended.complete();
  }
}

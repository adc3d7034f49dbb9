import { loadSession, sessionEnded } from './api-client';
import type { WorklistItem } from '@homeward/contracts';
import { SseParser, reconnectDelayMs } from './sse';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting';

export interface LiveStreamHandlers {
  /** The stream is (re)connected: refetch the worklist, since changes may have been missed. */
  readonly onReady: () => void;
  readonly onAlert: (item: WorklistItem) => void;
  readonly onStatus: (status: StreamStatus) => void;
}

/**
 * Follows `GET /api/stream` with fetch and the bearer token (EventSource cannot send headers),
 * reconnecting with exponential backoff until stopped. Returns the stop function.
 */
export function followAlertStream(handlers: LiveStreamHandlers): () => void {
  let stopped = false;
  let controller: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;

  const connect = async (): Promise<void> => {
    const session = loadSession();
    if (stopped || !session) return;
    controller = new AbortController();
    handlers.onStatus(failures === 0 ? 'connecting' : 'reconnecting');
    try {
      const response = await fetch('/api/stream', { headers: { accept: 'text/event-stream', authorization: `Bearer ${session.token}` }, signal: controller.signal });
      if (response.status === 401) {
        // The session expired or was signed out elsewhere: back to sign-in, no retry loop.
        stopped = true;
        sessionEnded();
        return;
      }
      if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SseParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const event of parser.push(value)) {
          if (event.event === 'ready') {
            failures = 0;
            handlers.onStatus('live');
            handlers.onReady();
          } else if (event.event === 'session-ended') {
            // Signed out (here or elsewhere), expired or disabled: back to sign-in, no reconnecting.
            stopped = true;
            sessionEnded();
            return;
          } else if (event.event === 'resync') handlers.onReady();
          else if (event.event === 'alert') handlers.onAlert(JSON.parse(event.data) as WorklistItem);
        }
      }
    } catch {
      // Network drop, server restart or abort: fall through to the reconnect below.
    }
    if (stopped) return;
    handlers.onStatus('reconnecting');
    timer = setTimeout(() => void connect(), reconnectDelayMs(failures++));
  };

  void connect();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    controller?.abort();
  };
}

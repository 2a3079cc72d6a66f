/**
 * List-then-watch of one collection, like client-go's reflector: list once, hand every object to
 * `onSync`, then watch from the list's resourceVersion; when the watch ends it resumes from the last
 * seen resourceVersion, and on 410 Gone (or any error) it relists after a short backoff, so the
 * consumer's view converges on the API server's even across disconnects.
 */
import {
  KubeApiError,
  type KubeObject,
  type ObjectList,
  type WatchEventType,
  type WatchHandle,
  type WatchOptions,
} from './types.js';

export interface ReflectorSource<T extends KubeObject> {
  list(): Promise<ObjectList<T>>;
  watch(options: WatchOptions<T>): Promise<WatchHandle>;
}

export interface ReflectorHandlers<T extends KubeObject> {
  /** A full list: replaces everything the consumer knew. */
  onSync(items: T[]): void;
  onEvent(type: WatchEventType, object: T): void;
  onError?(error: Error): void;
}

export class Reflector<T extends KubeObject> {
  private handle: WatchHandle | null = null;
  private stopped = false;
  private lastVersion = '0';
  private timer: NodeJS.Timeout | null = null;
  private synced = false;

  constructor(
    private readonly source: ReflectorSource<T>,
    private readonly handlers: ReflectorHandlers<T>,
    private readonly backoffMs = 1000,
  ) {}

  /** Resolves after the first list has been delivered. */
  async start(): Promise<void> {
    await this.relist();
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.handle?.stop();
  }

  private async relist(): Promise<void> {
    const list = await this.source.list();
    if (this.stopped) return;
    this.handlers.onSync(list.items);
    this.synced = true;
    this.lastVersion = list.resourceVersion;
    await this.watch();
  }

  private async watch(): Promise<void> {
    if (this.stopped) return;
    this.handle = await this.source.watch({
      resourceVersion: this.lastVersion,
      onEvent: (type, object) => {
        if (object.metadata.resourceVersion !== undefined) this.lastVersion = object.metadata.resourceVersion;
        this.handlers.onEvent(type, object);
      },
      onClose: (error) => {
        if (this.stopped) return;
        if (error === null) {
          void this.watch().catch((e: unknown) => this.retry(e));
          return;
        }
        this.retry(error);
      },
    });
  }

  private retry(error: unknown): void {
    if (this.stopped) return;
    if (!(error instanceof KubeApiError && error.status === 410))
      this.handlers.onError?.(error instanceof Error ? error : new Error(String(error)));
    this.timer = setTimeout(
      () => {
        this.relist().catch((e: unknown) => this.retry(e));
      },
      error instanceof KubeApiError && error.status === 410 ? 0 : this.backoffMs,
    );
  }
}

/**
 * Progress of a promotion: a bar on a terminal (actions and bytes, redrawn at most ten times a second),
 * or a structured log line every few seconds when stderr is not a terminal.
 */
import type { AppliedAction } from '../apply/apply-plan.js';
import type { Logger } from '../observability/logger.js';
import { formatBytes } from './copy-format.js';

/** What progress reporters hear. */
export interface Progress {
  start(actions: number, bytes: number): void;
  actionDone(a: AppliedAction): void;
  uploaded(bytes: number): void;
  stop(): void;
}

abstract class Tally implements Progress {
  protected actions = 0;
  protected totalActions = 0;
  protected bytes = 0;
  protected totalBytes = 0;
  protected failed = 0;

  start(actions: number, bytes: number): void {
    this.totalActions = actions;
    this.totalBytes = bytes;
    this.changed();
  }

  actionDone(a: AppliedAction): void {
    this.actions++;
    if (a.result === 'failed') this.failed++;
    this.changed();
  }

  uploaded(bytes: number): void {
    this.bytes += bytes;
    this.changed();
  }

  protected abstract changed(): void;
  abstract stop(): void;
}

/** A one-line bar on a terminal stream. */
export class TtyProgress extends Tally {
  private last = 0;

  constructor(private readonly out: NodeJS.WriteStream) {
    super();
  }

  protected changed(): void {
    const now = Date.now();
    if (now - this.last < 100 && this.actions < this.totalActions) return;
    this.last = now;
    const width = 24;
    const frac = this.totalActions ? this.actions / this.totalActions : 1;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    const failed = this.failed ? `, ${this.failed} failed` : '';
    this.out.write(
      `\r[${bar}] ${this.actions}/${this.totalActions} actions${failed} · ${formatBytes(this.bytes)} of up to ${formatBytes(this.totalBytes)}\u001b[K`,
    );
  }

  stop(): void {
    this.out.write('\r\u001b[K');
  }
}

/** Periodic structured log lines. */
export class LogProgress extends Tally {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: Logger,
    private readonly everyMs = 5000,
  ) {
    super();
  }

  override start(actions: number, bytes: number): void {
    super.start(actions, bytes);
    this.emit();
    this.timer = setInterval(() => this.emit(), this.everyMs);
    this.timer.unref();
  }

  protected changed(): void {}

  private emit(): void {
    this.log.info(
      {
        actionsDone: this.actions,
        actionsTotal: this.totalActions,
        failed: this.failed,
        bytesUploaded: this.bytes,
        bytesAtMost: this.totalBytes,
      },
      'promotion progress',
    );
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.emit();
  }
}

/** A live byte count on a terminal, for work without a known total (`promoter copy`). */
export class ByteTicker {
  private bytes = 0;
  private last = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly label: string,
  ) {}

  /** Adds uploaded bytes and redraws (at most ten times a second). */
  add(bytes: number): void {
    this.bytes += bytes;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    this.out.write(`\r${this.label} ${formatBytes(this.bytes)} uploaded\u001b[K`);
  }

  /** Clears the line. */
  stop(): void {
    if (this.last) this.out.write('\r\u001b[K');
  }
}

import type { Logger } from 'pino';
import { strictMock } from '@lib/testing';
import type { RecurrenceMaterializer } from './recurrence-materializer.service';
import { RecurrenceWorker } from './recurrence.worker';

describe('RecurrenceWorker', () => {
  it('logs a failed round instead of throwing, goes on, and stops cleanly during its wait', async () => {
    let rounds = 0;
    let secondRound!: () => void;
    const reached = new Promise<void>((r) => (secondRound = r));
    const runOnce = jest.fn(async () => {
      rounds++;
      if (rounds === 1) throw new Error('database went away');
      secondRound();
      return 0;
    });
    // No wait after the failed round; then an hour: only the shutdown's wake-up can end that wait.
    const materializer = strictMock<RecurrenceMaterializer>(
      {
        runOnce,
        get pollMs() {
          return rounds < 2 ? 0 : 3_600_000;
        },
      },
      'materializer',
    );
    const error = jest.fn();
    const worker = new RecurrenceWorker(materializer, strictMock<Logger>({ error }, 'logger'));

    worker.onApplicationBootstrap();
    await reached;
    await worker.onApplicationShutdown();

    expect(error).toHaveBeenCalledWith({ err: expect.any(Error) }, 'recurrence round failed; retrying');
    expect(runOnce).toHaveBeenCalledTimes(2);
  });

  it('does nothing when disabled', async () => {
    const worker = new RecurrenceWorker(strictMock<RecurrenceMaterializer>({}, 'materializer'), strictMock<Logger>({}, 'logger'), { disabled: true });
    worker.onApplicationBootstrap();
    await worker.onApplicationShutdown();
  });
});

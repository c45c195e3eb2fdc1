import type { Logger, Metrics } from '../core/index.ts';

/**
 * Keeps one failure from ending a process that serves several faces: an unhandled rejection or an uncaught
 * exception is logged with its cause and counted, and the process goes on serving. Returns the uninstaller.
 */
export function guardProcess(logger: Logger, metrics: Metrics): () => void {
  const onRejection = (reason: unknown) => {
    metrics.increment('face_errors_total', { face: 'process', kind: 'unhandled_rejection' });
    logger.error({ err: reason }, 'Unhandled promise rejection; the process keeps serving');
  };
  const onException = (error: Error, origin: string) => {
    metrics.increment('face_errors_total', { face: 'process', kind: 'uncaught_exception' });
    logger.error({ err: error, origin }, 'Uncaught exception; the process keeps serving');
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}

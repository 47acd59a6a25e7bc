/** Bonsai's structured logger (pino): JSON lines on stderr, level from BONSAI_LOG_LEVEL (default info). */
import { pino, type Logger } from 'pino';

export function createLogger(level = process.env.BONSAI_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { svc: 'bonsai' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: 2, sync: false }));
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

export type { Logger };

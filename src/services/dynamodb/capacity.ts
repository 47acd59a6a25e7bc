/**
 * Consumed capacity as DynamoDB reports it with ReturnConsumedCapacity: writes cost one unit per
 * started KB of the larger of the old and new item (at least one); reads one unit per started
 * 4 KB of what was read (at least one), half of that when eventually consistent. Query and Scan
 * round the sum of the items they read, not each item.
 */
import type { ConsumedCapacity, ReturnConsumedCapacity } from '../../generated/dynamodb/types.ts';

export function writeUnits(...itemSizes: number[]): number {
  return Math.max(1, Math.ceil(Math.max(0, ...itemSizes) / 1024));
}

export function readUnits(bytesRead: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(bytesRead / 4096));
  return consistent ? units : units / 2;
}

/** The ConsumedCapacity member for one table, or undefined when the caller did not ask. */
export function consumed(tableName: string, units: number, mode: ReturnConsumedCapacity | undefined): ConsumedCapacity | undefined {
  if (mode === 'TOTAL') return { TableName: tableName, CapacityUnits: units };
  if (mode === 'INDEXES') return { TableName: tableName, CapacityUnits: units, Table: { CapacityUnits: units } };
  return undefined;
}

/** PartiQL for DynamoDB: the statement parser and the three operations that run statements. */
export { malformed, parseStatement, tokenize, type Returning, type Statement } from './parser.ts';
export { batchExecuteStatement, executeStatement, executeTransaction, runStatement } from './executor.ts';

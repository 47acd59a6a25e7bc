// DynamoDB end to end with SDK v3 on the embedded SQLite store.
import { dynamodbSuite } from './suite.ts';

dynamodbSuite('sqlite', async () => ({ stop: async () => {} }));

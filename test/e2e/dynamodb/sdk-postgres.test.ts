// The same DynamoDB suite on a throw-away PostgreSQL store: both back ends give the same answers.
import { dynamodbSuite } from './suite.ts';
import { startThrowawayPostgres } from '../../helpers/postgres.ts';

dynamodbSuite('postgres', async () => {
  const pg = await startThrowawayPostgres();
  return { url: pg.url, stop: () => pg.stop() };
});

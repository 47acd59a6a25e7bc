/**
 * Every service Bonsai knows, in one static list. A service with a model but few handlers still
 * routes, authenticates and validates; its unimplemented operations answer 501 NotImplemented.
 */
import type { ServiceDefinition } from './types.ts';
import { sts } from './sts/index.ts';
import { iam } from './iam/index.ts';
import { dynamodb } from './dynamodb/index.ts';
import { dynamodbstreams } from './dynamodbstreams/index.ts';
import { ec2 } from './ec2/index.ts';
import { ssm } from './ssm/index.ts';
import { s3 } from './s3/index.ts';
import { s3control } from './s3control/index.ts';

/** A service whose model Bonsai serves but whose provider has not been written yet. */
function modeledOnly(def: Omit<ServiceDefinition, 'handlers'>): ServiceDefinition {
  return { ...def, handlers: {} };
}

export const SERVICES: readonly ServiceDefinition[] = [
  sts,
  iam,
  s3,
  s3control,
  dynamodb,
  dynamodbstreams,
  ec2,
  modeledOnly({ name: 'rds', signingName: 'rds', protocol: 'query', apiVersion: '2014-10-31', authFamily: 'query' }),
  modeledOnly({ name: 'lambda', signingName: 'lambda', protocol: 'rest-json', apiVersion: '2015-03-31', pathPrefix: '/2015-03-31/', authFamily: 'rest-json', maxSignatureSkewMs: 5 * 60_000 }),
  modeledOnly({
    name: 'cloudwatch',
    signingName: 'monitoring',
    protocol: 'query',
    apiVersion: '2010-08-01',
    targetPrefix: 'GraniteServiceVersion20100801',
    authFamily: 'query',
  }),
  modeledOnly({ name: 'logs', signingName: 'logs', protocol: 'json', apiVersion: '2014-03-28', targetPrefix: 'Logs_20140328', authFamily: 'json' }),
  modeledOnly({ name: 'sns', signingName: 'sns', protocol: 'query', apiVersion: '2010-03-31', authFamily: 'query' }),
  modeledOnly({
    name: 'secretsmanager',
    signingName: 'secretsmanager',
    protocol: 'json',
    apiVersion: '2017-10-17',
    targetPrefix: 'secretsmanager',
    authFamily: 'json',
  }),
  ssm,
];

export function serviceByName(name: string): ServiceDefinition | undefined {
  return SERVICES.find((s) => s.name === name);
}

/**
 * AWS managed policies Bonsai ships, with the documents, ids and dates AWS publishes (one JSON file
 * per policy, taken from GetPolicy/GetPolicyVersion output of the real IAM). ReadOnlyAccess is a
 * faithful subset: its v85 statement restricted to the services Bonsai serves, copied verbatim.
 */
import AWSLambdaBasicExecutionRole from './AWSLambdaBasicExecutionRole.json' with { type: 'json' };
import AWSLambda_FullAccess from './AWSLambda_FullAccess.json' with { type: 'json' };
import AdministratorAccess from './AdministratorAccess.json' with { type: 'json' };
import AmazonDynamoDBFullAccess from './AmazonDynamoDBFullAccess.json' with { type: 'json' };
import AmazonEC2FullAccess from './AmazonEC2FullAccess.json' with { type: 'json' };
import AmazonEC2ReadOnlyAccess from './AmazonEC2ReadOnlyAccess.json' with { type: 'json' };
import AmazonRDSFullAccess from './AmazonRDSFullAccess.json' with { type: 'json' };
import AmazonS3FullAccess from './AmazonS3FullAccess.json' with { type: 'json' };
import AmazonS3ReadOnlyAccess from './AmazonS3ReadOnlyAccess.json' with { type: 'json' };
import AmazonSNSFullAccess from './AmazonSNSFullAccess.json' with { type: 'json' };
import AmazonVPCFullAccess from './AmazonVPCFullAccess.json' with { type: 'json' };
import CloudWatchFullAccess from './CloudWatchFullAccess.json' with { type: 'json' };
import IAMFullAccess from './IAMFullAccess.json' with { type: 'json' };
import IAMUserChangePassword from './IAMUserChangePassword.json' with { type: 'json' };
import PowerUserAccess from './PowerUserAccess.json' with { type: 'json' };
import ReadOnlyAccess from './ReadOnlyAccess.json' with { type: 'json' };
import SecretsManagerReadWrite from './SecretsManagerReadWrite.json' with { type: 'json' };

export interface AwsManagedPolicy {
  PolicyName: string;
  PolicyId: string;
  Path: string;
  DefaultVersionId: string;
  CreateDate: string;
  UpdateDate: string;
  Description: string;
  /** The default version's document, as a JSON value. */
  Document: unknown;
}

const ALL: AwsManagedPolicy[] = [
  AWSLambdaBasicExecutionRole,
  AWSLambda_FullAccess,
  AdministratorAccess,
  AmazonDynamoDBFullAccess,
  AmazonEC2FullAccess,
  AmazonEC2ReadOnlyAccess,
  AmazonRDSFullAccess,
  AmazonS3FullAccess,
  AmazonS3ReadOnlyAccess,
  AmazonSNSFullAccess,
  AmazonVPCFullAccess,
  CloudWatchFullAccess,
  IAMFullAccess,
  IAMUserChangePassword,
  PowerUserAccess,
  ReadOnlyAccess,
  SecretsManagerReadWrite,
];

export function awsManagedPolicyArn(p: Pick<AwsManagedPolicy, 'Path' | 'PolicyName'>): string {
  return `arn:aws:iam::aws:policy${p.Path}${p.PolicyName}`;
}

const BY_ARN = new Map(ALL.map((p) => [awsManagedPolicyArn(p), p]));

/** Every AWS managed policy, in the order ListPolicies returns them (by name). */
export const AWS_MANAGED_POLICIES: readonly AwsManagedPolicy[] = [...ALL].sort((a, b) => a.PolicyName.localeCompare(b.PolicyName));

export function findAwsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  return BY_ARN.get(arn);
}

/** The document text AWS serves for a managed policy (its JSON with four-space indentation). */
export function awsManagedPolicyDocument(p: AwsManagedPolicy): string {
  return JSON.stringify(p.Document, null, 4);
}

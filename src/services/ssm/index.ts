/**
 * AWS Systems Manager, Parameter Store reads of AWS's public parameters: GetParameter,
 * GetParameters and GetParametersByPath answer the /aws/service/ AMI aliases
 * (public-parameters.ts) from EC2's catalog. Customers' own parameters are not stored yet, so any
 * other name is ParameterNotFound, which AWS sends without a message.
 */
import { AwsError } from '../../core/errors.ts';
import type { SsmHandlers } from '../../generated/ssm/handlers.ts';
import type {
  GetParameterRequest,
  GetParameterResult,
  GetParametersByPathRequest,
  GetParametersByPathResult,
  GetParametersRequest,
  GetParametersResult,
} from '../../generated/ssm/types.ts';
import { defineService } from '../types.ts';
import { ssmAuthz } from './authz.ts';
import { nameFromArnOrName } from './names.ts';
import { publicParameter, publicParametersByPath } from './public-parameters.ts';

export { publicParameter, publicParametersByPath, PUBLIC_PARAMETERS, publicParameterArn } from './public-parameters.ts';

/** AWS's ParameterNotFound carries no message: `{"__type":"ParameterNotFound"}`. */
function parameterNotFound(): AwsError {
  return new AwsError('ParameterNotFound', '', { status: 400 });
}

export function getParameter(region: string, input: GetParameterRequest): GetParameterResult {
  const parameter = publicParameter(region, nameFromArnOrName(input.Name));
  if (!parameter) throw parameterNotFound();
  return { Parameter: parameter };
}

/** Found parameters in request order; the names that matched nothing, as given, in InvalidParameters. */
export function getParameters(region: string, input: GetParametersRequest): GetParametersResult {
  const parameters: NonNullable<GetParametersResult['Parameters']> = [];
  const invalid: string[] = [];
  for (const requested of [...new Set(input.Names)]) {
    const parameter = publicParameter(region, nameFromArnOrName(requested));
    if (parameter) parameters.push(parameter);
    else invalid.push(requested);
  }
  return { Parameters: parameters, InvalidParameters: invalid };
}

/** GetParametersByPath pages hold at most 10 parameters (MaxResults 1–10, default 10). */
const PAGE_SIZE = 10;

export function getParametersByPath(region: string, input: GetParametersByPathRequest): GetParametersByPathResult {
  const all = publicParametersByPath(region, input.Path, input.Recursive === true);
  let start = 0;
  if (input.NextToken) {
    const offset = Number(Buffer.from(input.NextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0 || offset > all.length) throw new AwsError('InvalidNextToken', 'The specified token is not valid.', { status: 400 });
    start = offset;
  }
  const end = start + (input.MaxResults ?? PAGE_SIZE);
  const page = all.slice(start, end);
  return { Parameters: page, ...(end < all.length ? { NextToken: Buffer.from(String(end)).toString('base64url') } : {}) };
}

export const ssm = defineService<SsmHandlers>({
  name: 'ssm',
  signingName: 'ssm',
  protocol: 'json',
  apiVersion: '2014-11-06',
  targetPrefix: 'AmazonSSM',
  authFamily: 'json',
  authz: ssmAuthz,
  handlers: {
    GetParameter: async (input, ctx) => getParameter(ctx.region, input),
    GetParameters: async (input, ctx) => getParameters(ctx.region, input),
    GetParametersByPath: async (input, ctx) => getParametersByPath(ctx.region, input),
  },
  compatibility: {
    notes: [
      "Parameter Store serves only AWS's public AMI parameters (/aws/service/ami-amazon-linux-latest, Canonical's Ubuntu 22.04/24.04, Debian 12, Windows Server 2022 Base), pointing at EC2's catalog images of the region.",
      'Customer parameters cannot be stored yet: every other name is ParameterNotFound.',
      'Version and label selectors (name:3) are not resolved: a selected name is ParameterNotFound.',
      'GetParametersByPath ignores ParameterFilters.',
    ],
  },
});

/**
 * Parameter names as SSM accepts them: a name ("/a/b" or "a"), or the parameter's ARN, optionally
 * followed by a ":version" or ":label" selector.
 */
import { publicParameterArn } from './public-parameters.ts';

/** "arn:aws:ssm:us-east-1::parameter/aws/x" → "/aws/x"; a plain name is returned unchanged. */
export function nameFromArnOrName(value: string): string {
  const m = /^arn:aws[a-z-]*:ssm:[^:]*:[^:]*:parameter(\/.*)$/.exec(value);
  return m ? m[1]! : value;
}

/** Names under /aws/service/ belong to AWS. */
export function isPublicName(name: string): boolean {
  return name.startsWith('/aws/');
}

/**
 * The ARN IAM evaluates for a parameter: "parameter/<name without its leading slash>", with no
 * account for AWS's public parameters.
 */
export function parameterArn(region: string, accountId: string, nameOrArn: string): string {
  const name = nameFromArnOrName(nameOrArn).replace(/:[^/:]+$/, '');
  if (isPublicName(name)) return publicParameterArn(region, name);
  return `arn:aws:ssm:${region}:${accountId}:parameter${name.startsWith('/') ? name : `/${name}`}`;
}

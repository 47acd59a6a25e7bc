/** The IAM policy language: parse → compile → evaluate, and AWS's denial messages. */
export * from './types.ts';
export { parsePolicy, PolicyDocumentError, PolicyMessages, PolicyQuotas, policySize, checkManagedPolicySize, checkTrustPolicySize, checkInlinePolicySize, isValidAwsPrincipal } from './parse.ts';
export type { ParseOptions } from './parse.ts';
export { compilePolicy, compilePolicyDocument, strongerMatch } from './compile.ts';
export type { CompiledPolicy, CompiledStatement, CompileOptions, PolicyType, PrincipalInfo, PrincipalMatch, StatementRef } from './compile.ts';
export { parseOperator } from './conditions.ts';
export type { ParsedOperator, SetQualifier } from './conditions.ts';
export type { ContextScalar, ContextValue, RequestContext } from './context.ts';
export { evaluate } from './evaluate.ts';
export type { AuthzRequest, Decision, DecisionReason, MatchedStatement, PolicySet } from './evaluate.ts';
export { accessDeniedMessage, denialContext, isDenial } from './messages.ts';

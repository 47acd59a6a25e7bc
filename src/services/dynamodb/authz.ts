/**
 * DynamoDB's authorization table (Service Authorization Reference, "Actions defined by Amazon
 * DynamoDB"): every table operation is `dynamodb:<Operation>` on the table's ARN, Query and Scan on
 * an index are on the index's ARN, ListTables/DescribeLimits/DescribeEndpoints are on "*", and
 * batches name every table they touch. Item operations supply the fine-grained access keys:
 * dynamodb:LeadingKeys (partition key values), dynamodb:Attributes (attribute names),
 * dynamodb:Select, dynamodb:ReturnValues and dynamodb:ReturnConsumedCapacity.
 */
import type { RequestContext } from '../../core/context.ts';
import type { AuthzCall, AuthzTarget, OperationAuthz, ServiceAuthz } from '../../iam/authz/types.ts';
import type { ContextValue } from '../../iam/policy/context.ts';
import type { AttributeMap } from './attributes.ts';
import { findTable, tableArn, tableKeySchema, type TableRecord } from './tables.ts';
import { parseStatement } from './partiql/parser.ts';

type Input = Record<string, unknown>;
type KeysOf = (input: Input) => ContextValue;

function tableName(input: Input): string {
  return String(input.TableName ?? '');
}

async function tableOf(ctx: RequestContext, name: string): Promise<TableRecord | undefined> {
  return name ? findTable(ctx.store, ctx, name) : undefined;
}

/** The partition key values of items (or keys), as strings: what dynamodb:LeadingKeys compares. */
function leadingKeys(table: TableRecord | undefined, items: AttributeMap[]): string[] | undefined {
  if (!table) return undefined;
  const hash = tableKeySchema(table).hash.name;
  const values = items
    .map((item) => item[hash])
    .filter((v) => v !== undefined)
    .map((v) => (v!.S ?? v!.N ?? (v!.B ? Buffer.from(v!.B).toString('base64') : undefined)))
    .filter((v): v is string => v !== undefined);
  return values.length ? [...new Set(values)] : undefined;
}

/** Top-level attribute names a projection expression reads (placeholders resolved). */
function projectedAttributes(input: Input): string[] | undefined {
  if (Array.isArray(input.AttributesToGet)) return input.AttributesToGet as string[];
  if (typeof input.ProjectionExpression !== 'string') return undefined;
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  return input.ProjectionExpression.split(',')
    .map((path) => path.trim().split(/[.[]/)[0]!.trim())
    .filter(Boolean)
    .map((name) => names[name] ?? name);
}

function common(input: Input): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = {};
  if (typeof input.ReturnConsumedCapacity === 'string') context['dynamodb:ReturnConsumedCapacity'] = input.ReturnConsumedCapacity;
  return context;
}

function compact(context: Record<string, ContextValue>): Record<string, ContextValue> {
  return Object.fromEntries(Object.entries(context).filter(([, v]) => v !== undefined));
}

function onTable(action: string): OperationAuthz {
  return ({ input, ctx }) => [{ action: `dynamodb:${action}`, resource: tableArn(ctx, tableName(input)) }];
}

function onAnything(action: string): OperationAuthz {
  return () => [{ action: `dynamodb:${action}`, resource: '*' }];
}

/** GetItem, PutItem, UpdateItem, DeleteItem: one item of one table. */
function itemOperation(action: string, itemOf: (input: Input) => AttributeMap | undefined, extra: (input: Input) => Record<string, ContextValue>, attributes: KeysOf): OperationAuthz {
  return async ({ input, ctx }: AuthzCall): Promise<AuthzTarget[]> => {
    const table = await tableOf(ctx, tableName(input));
    const item = itemOf(input);
    const context = compact({
      ...common(input),
      ...extra(input),
      'dynamodb:LeadingKeys': item ? leadingKeys(table, [item]) : undefined,
      'dynamodb:Attributes': attributes(input),
    });
    return [{ action: `dynamodb:${action}`, resource: tableArn(ctx, tableName(input)), context }];
  };
}

const returnValues = (input: Input) => ({ 'dynamodb:ReturnValues': input.ReturnValues as string | undefined });
const select = (input: Input) => ({ 'dynamodb:Select': input.Select as string | undefined });

/** Query and Scan: the index's ARN when they read an index. */
function readOperation(action: 'Query' | 'Scan'): OperationAuthz {
  return async ({ input, ctx }) => {
    const name = tableName(input);
    const base = tableArn(ctx, name);
    const resource = typeof input.IndexName === 'string' ? `${base}/index/${input.IndexName}` : base;
    const context: Record<string, ContextValue> = { ...common(input), ...select(input), 'dynamodb:Attributes': projectedAttributes(input) };
    if (action === 'Query') {
      const values = input.ExpressionAttributeValues as AttributeMap | undefined;
      const table = await tableOf(ctx, name);
      // The partition key value is the placeholder compared with the hash key; any value the
      // request supplies for it is what LeadingKeys sees.
      if (table && values) {
        const hashValues = Object.values(values).filter((v) => v.S !== undefined || v.N !== undefined || v.B !== undefined);
        const hashType = tableKeySchema(table).hash.type;
        const keys = hashValues
          .filter((v) => (v as Record<string, unknown>)[hashType] !== undefined)
          .map((v) => v.S ?? v.N ?? Buffer.from(v.B!).toString('base64'));
        if (keys.length === 1) context['dynamodb:LeadingKeys'] = keys;
      }
    }
    return [{ action: `dynamodb:${action}`, resource, context: compact(context) }];
  };
}

/** BatchGetItem and BatchWriteItem: the action on every table named, with that table's keys. */
function batchOperation(action: 'BatchGetItem' | 'BatchWriteItem'): OperationAuthz {
  return async ({ input, ctx }) => {
    const requests = (input.RequestItems ?? {}) as Record<string, unknown>;
    const targets: AuthzTarget[] = [];
    for (const [name, request] of Object.entries(requests)) {
      const table = await tableOf(ctx, name);
      let items: AttributeMap[];
      let attributes: string[] | undefined;
      if (action === 'BatchGetItem') {
        const keysAndAttributes = request as Input;
        items = (keysAndAttributes.Keys ?? []) as AttributeMap[];
        attributes = projectedAttributes(keysAndAttributes);
      } else {
        const writes = (request ?? []) as Array<{ PutRequest?: { Item: AttributeMap }; DeleteRequest?: { Key: AttributeMap } }>;
        items = writes.map((w) => w.PutRequest?.Item ?? w.DeleteRequest?.Key ?? {});
        const names = new Set(writes.flatMap((w) => (w.PutRequest ? Object.keys(w.PutRequest.Item) : [])));
        attributes = names.size ? [...names] : undefined;
      }
      targets.push({
        action: `dynamodb:${action}`,
        resource: tableArn(ctx, name),
        context: compact({ ...common(input), 'dynamodb:LeadingKeys': leadingKeys(table, items), 'dynamodb:Attributes': attributes }),
      });
    }
    return targets;
  };
}

/** Tagging names the table by ARN; a malformed ARN fails validation before authorization. */
function onResourceArn(action: string, withTags: boolean): OperationAuthz {
  return ({ input }) => {
    const arn = String(input.ResourceArn ?? '');
    if (!/^arn:aws:dynamodb:[a-z0-9-]+:\d{12}:table\/[a-zA-Z0-9_.-]+$/.test(arn)) return [];
    const context: Record<string, ContextValue> = {};
    if (withTags) {
      const tags = (input.Tags ?? []) as Array<{ Key: string; Value: string }>;
      for (const t of tags) context[`aws:RequestTag/${t.Key}`] = t.Value;
      context['aws:TagKeys'] = tags.map((t) => t.Key);
    }
    if (Array.isArray(input.TagKeys)) context['aws:TagKeys'] = input.TagKeys as string[];
    return [{ action: `dynamodb:${action}`, resource: arn, context }];
  };
}

function createTableTargets({ input, ctx }: AuthzCall): AuthzTarget[] {
  const tags = (input.Tags ?? []) as Array<{ Key: string; Value: string }>;
  const context: Record<string, ContextValue> = {};
  if (tags.length) {
    for (const t of tags) context[`aws:RequestTag/${t.Key}`] = t.Value;
    context['aws:TagKeys'] = tags.map((t) => t.Key);
  }
  return [{ action: 'dynamodb:CreateTable', resource: tableArn(ctx, tableName(input)), context }];
}

const PARTIQL_ACTIONS = { select: 'PartiQLSelect', insert: 'PartiQLInsert', update: 'PartiQLUpdate', delete: 'PartiQLDelete' } as const;

/**
 * A PartiQL statement is authorized as dynamodb:PartiQL<Verb> on the table (or index) it names.
 * A statement that does not parse names no table: it yields no target, and the handler answers
 * DynamoDB's ValidationException, as AWS does before any permission is evaluated.
 */
function partiqlTarget(ctx: AuthzCall['ctx'], request: Input): AuthzTarget[] {
  let statement;
  try {
    statement = parseStatement(String(request.Statement ?? ''), (request.Parameters ?? []) as AttributeMap[keyof AttributeMap][]);
  } catch {
    return [];
  }
  const base = tableArn(ctx, statement.table);
  const resource = statement.kind === 'select' && statement.index !== undefined ? `${base}/index/${statement.index}` : base;
  return [{ action: `dynamodb:${PARTIQL_ACTIONS[statement.kind]}`, resource }];
}

function partiqlOperation(listMember?: 'Statements' | 'TransactStatements'): OperationAuthz {
  return ({ input, ctx }) => {
    const requests = listMember ? ((input[listMember] ?? []) as Input[]) : [input];
    return requests.flatMap((request) => partiqlTarget(ctx, request));
  };
}

const itemNames = (input: Input) => (input.Item ? Object.keys(input.Item as object) : undefined);

/**
 * TransactWriteItems and TransactGetItems have no IAM action of their own: each action is
 * authorized as its single-item twin (dynamodb:PutItem, UpdateItem, DeleteItem,
 * ConditionCheckItem, GetItem) on its table's ARN, with that item's fine-grained access keys and
 * dynamodb:EnclosingOperation naming the transaction.
 */
const TRANSACT_WRITE_ACTIONS = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' } as const;

function transactOperation(operation: 'TransactWriteItems' | 'TransactGetItems', kinds: Partial<Record<string, string>>): OperationAuthz {
  return async ({ input, ctx }) => {
    const targets: AuthzTarget[] = [];
    for (const entry of (input.TransactItems ?? []) as Input[]) {
      for (const [kind, action] of Object.entries(kinds)) {
        const request = entry[kind] as Input | undefined;
        if (!request) continue;
        const name = tableName(request);
        const table = await tableOf(ctx, name);
        const item = (request.Item ?? request.Key) as AttributeMap | undefined;
        const attributes = kind === 'Put' ? itemNames(request) : kind === 'Get' ? projectedAttributes(request) : undefined;
        const context = compact({
          ...common(input),
          // The reference lists dynamodb:EnclosingOperation for every item action but ConditionCheckItem.
          'dynamodb:EnclosingOperation': kind === 'ConditionCheck' ? undefined : operation,
          'dynamodb:LeadingKeys': item ? leadingKeys(table, [item]) : undefined,
          'dynamodb:Attributes': attributes,
        });
        targets.push({ action: `dynamodb:${action}`, resource: tableArn(ctx, name), context });
      }
    }
    return targets;
  };
}


export const dynamodbAuthz: ServiceAuthz = {
  prefix: 'dynamodb',
  operations: {
    CreateTable: createTableTargets,
    DescribeTable: onTable('DescribeTable'),
    UpdateTable: onTable('UpdateTable'),
    DeleteTable: onTable('DeleteTable'),
    ListTables: onAnything('ListTables'),
    DescribeLimits: onAnything('DescribeLimits'),
    DescribeEndpoints: onAnything('DescribeEndpoints'),
    TagResource: onResourceArn('TagResource', true),
    UntagResource: onResourceArn('UntagResource', false),
    ListTagsOfResource: onResourceArn('ListTagsOfResource', false),
    PutItem: itemOperation('PutItem', (i) => i.Item as AttributeMap | undefined, returnValues, itemNames),
    GetItem: itemOperation('GetItem', (i) => i.Key as AttributeMap | undefined, () => ({}), projectedAttributes),
    UpdateItem: itemOperation('UpdateItem', (i) => i.Key as AttributeMap | undefined, returnValues, () => undefined),
    DeleteItem: itemOperation('DeleteItem', (i) => i.Key as AttributeMap | undefined, returnValues, () => undefined),
    Query: readOperation('Query'),
    Scan: readOperation('Scan'),
    BatchGetItem: batchOperation('BatchGetItem'),
    BatchWriteItem: batchOperation('BatchWriteItem'),
    TransactWriteItems: transactOperation('TransactWriteItems', TRANSACT_WRITE_ACTIONS),
    TransactGetItems: transactOperation('TransactGetItems', { Get: 'GetItem' }),
    UpdateTimeToLive: onTable('UpdateTimeToLive'),
    DescribeTimeToLive: onTable('DescribeTimeToLive'),
    ExecuteStatement: partiqlOperation(),
    BatchExecuteStatement: partiqlOperation('Statements'),
    ExecuteTransaction: partiqlOperation('TransactStatements'),
  },
};

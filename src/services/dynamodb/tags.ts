/**
 * Tags on tables: TagResource, UntagResource and ListTagsOfResource, addressed by table ARN.
 * Tags live in the table's document, so they go when the table goes.
 */
import type { RequestContext } from '../../core/context.ts';
import type { DocOps } from '../../store/types.ts';
import type { ListTagsOfResourceInput, TagResourceInput, UntagResourceInput } from '../../generated/dynamodb/types.ts';
import { ResourceNotFoundException } from '../../generated/dynamodb/errors.ts';
import { validation } from './errors.ts';
import { changingTable, findTable, TABLE_KIND, type TableRecord } from './tables.ts';

const TABLE_ARN = /^arn:aws:dynamodb:([a-z0-9-]+):(\d{12}):table\/([a-zA-Z0-9_.-]{3,255})$/;

/** The table an ARN names, checked to be in the caller's account and region. */
function tableNameOf(ctx: RequestContext, arn: string): string {
  const match = TABLE_ARN.exec(arn);
  if (!match) throw validation(`Invalid TableArn: Invalid ResourceArn provided as input ${arn}`);
  const [, region, account, name] = match as unknown as [string, string, string, string];
  if (region !== ctx.region || account !== ctx.accountId) throw notFound(arn);
  return name;
}

function notFound(arn: string) {
  return new ResourceNotFoundException(`Requested resource not found: ResourcArn: ${arn} not found`);
}

async function withTable(ctx: RequestContext, arn: string, change?: (table: TableRecord) => TableRecord): Promise<TableRecord> {
  const name = tableNameOf(ctx, arn);
  const readAndChange = async (tx: DocOps) => {
    const table = await findTable(tx, ctx, name);
    if (!table) throw notFound(arn);
    if (!change) return table;
    const updated = change(table);
    await tx.put({ kind: TABLE_KIND, account: ctx.accountId, region: ctx.region, id: name }, updated);
    return updated;
  };
  return change ? changingTable(ctx, name, readAndChange) : ctx.store.transaction(readAndChange);
}

export async function tagResource(ctx: RequestContext, input: TagResourceInput) {
  await withTable(ctx, input.ResourceArn, (table) => {
    const tags = new Map(table.Tags.map((t) => [t.Key, t.Value]));
    for (const tag of input.Tags) tags.set(tag.Key, tag.Value);
    if (tags.size > 50) throw validation('One or more parameter values were invalid: The number of tags exceeds the limit of 50');
    return { ...table, Tags: [...tags].map(([Key, Value]) => ({ Key, Value })) };
  });
  return {};
}

export async function untagResource(ctx: RequestContext, input: UntagResourceInput) {
  await withTable(ctx, input.ResourceArn, (table) => ({ ...table, Tags: table.Tags.filter((t) => !input.TagKeys.includes(t.Key)) }));
  return {};
}

export async function listTagsOfResource(ctx: RequestContext, input: ListTagsOfResourceInput) {
  const table = await withTable(ctx, input.ResourceArn);
  return { Tags: table.Tags };
}

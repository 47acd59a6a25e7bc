/**
 * Tags on EC2 resources: TagSpecifications on create, CreateTags/DeleteTags on any resource this
 * slice owns, and DescribeTags across them. Tags live in each resource's own document (`Tags`).
 */
import type { RequestContext } from '../../core/context.ts';
import type { CreateTagsRequest, DeleteTagsRequest, DescribeTagsRequest, Tag, TagDescription, TagSpecification } from '../../generated/ec2/types.ts';
import { readDb, writeDb, type Ec2Db } from './db.ts';
import { ec2Error, invalidParameterValue, notFound } from './errors.ts';
import { kindOfId, TAG_RESOURCE_TYPE, type Ec2Kind } from './ids.ts';
import { applyFilters, paginate, type FilterFields } from './filters.ts';

const MAX_TAGS = 50;

/** Anything with a tag set. */
export interface Tagged {
  Tags?: Tag[];
}

/**
 * The tags a create call asks for its resource type. A TagSpecification for a type the operation
 * does not create is refused as AWS does.
 */
export function tagsFromSpecifications(specs: TagSpecification[] | undefined, resourceType: string): Tag[] {
  const tags: Tag[] = [];
  for (const spec of specs ?? []) {
    if (spec.ResourceType !== resourceType) {
      throw invalidParameterValue(`'${spec.ResourceType ?? ''}' is not a valid taggable resource type for this operation.`);
    }
    for (const tag of spec.Tags ?? []) tags.push({ Key: tag.Key, Value: tag.Value ?? '' });
  }
  validateTags(tags);
  return mergeTags([], tags);
}

function validateTags(tags: Tag[]): void {
  for (const tag of tags) {
    const key = tag.Key ?? '';
    if (key.toLowerCase().startsWith('aws:')) {
      throw invalidParameterValue('Tag keys starting with \'aws:\' are reserved for internal use');
    }
    if (key.length > 128) throw invalidParameterValue(`Tag key exceeds the maximum length of 128 characters`);
    if ((tag.Value ?? '').length > 256) throw invalidParameterValue(`Tag value exceeds the maximum length of 256 characters`);
  }
}

/** `existing` with `updates` applied: a key already present takes the new value in place. */
export function mergeTags(existing: Tag[], updates: Tag[]): Tag[] {
  const out = existing.map((t) => ({ ...t }));
  for (const tag of updates) {
    const found = out.find((t) => t.Key === tag.Key);
    if (found) found.Value = tag.Value ?? '';
    else out.push({ Key: tag.Key, Value: tag.Value ?? '' });
  }
  if (out.length > MAX_TAGS) throw ec2Error('TagLimitExceeded', `The maximum number of Tags for a resource has been reached.`);
  return out;
}

/** Request tags as a map, for aws:RequestTag/* and aws:TagKeys. */
export function tagMapOf(tags: Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

async function requireTaggable(db: Ec2Db, id: string): Promise<{ kind: Ec2Kind; doc: Tagged }> {
  const kind = kindOfId(id);
  if (!kind) throw ec2Error('InvalidID', `The ID '${id}' is not valid`);
  const doc = await db.get<Tagged>(kind, id);
  if (!doc) throw notFound(kind, id);
  return { kind, doc };
}

export async function createTags(ctx: RequestContext, input: CreateTagsRequest) {
  const updates = (input.Tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value ?? '' }));
  validateTags(updates);
  await writeDb(ctx, async (db) => {
    for (const id of input.Resources ?? []) {
      const { kind, doc } = await requireTaggable(db, id);
      await db.put(kind, id, { ...doc, Tags: mergeTags(doc.Tags ?? [], updates) });
    }
  });
  return {};
}

/**
 * DeleteTags: a tag with a value is removed only when the value matches; a tag given without a
 * value is removed whatever its value; no tags at all removes every tag.
 */
export async function deleteTags(ctx: RequestContext, input: DeleteTagsRequest) {
  await writeDb(ctx, async (db) => {
    for (const id of input.Resources ?? []) {
      const { kind, doc } = await requireTaggable(db, id);
      const removals = input.Tags;
      const kept = (doc.Tags ?? []).filter((tag) => {
        if (!removals || removals.length === 0) return false;
        return !removals.some((r) => r.Key === tag.Key && (r.Value === undefined || r.Value === tag.Value));
      });
      await db.put(kind, id, { ...doc, Tags: kept });
    }
  });
  return {};
}

const TAG_FILTERS: FilterFields<TagDescription> = {
  key: (t) => t.Key,
  value: (t) => t.Value,
  'resource-id': (t) => t.ResourceId,
  'resource-type': (t) => t.ResourceType,
};

/** Where each kind keeps its id. */
const ID_MEMBER: Record<Ec2Kind, string> = {
  vpc: 'VpcId',
  subnet: 'SubnetId',
  igw: 'InternetGatewayId',
  rtb: 'RouteTableId',
  acl: 'NetworkAclId',
  sg: 'GroupId',
  eipalloc: 'AllocationId',
  nat: 'NatGatewayId',
};

export async function describeTags(ctx: RequestContext, input: DescribeTagsRequest) {
  const db = readDb(ctx);
  const all: TagDescription[] = [];
  for (const kind of Object.keys(ID_MEMBER) as Ec2Kind[]) {
    for (const doc of await db.list<Tagged & Record<string, unknown>>(kind)) {
      const resourceId = doc[ID_MEMBER[kind]] as string;
      for (const tag of doc.Tags ?? []) {
        all.push({ Key: tag.Key, ResourceId: resourceId, ResourceType: TAG_RESOURCE_TYPE[kind] as TagDescription['ResourceType'], Value: tag.Value });
      }
    }
  }
  // DescribeTags lists by resource id, then key (as AWS's responses read).
  all.sort((a, b) => (a.ResourceId! < b.ResourceId! ? -1 : a.ResourceId! > b.ResourceId! ? 1 : a.Key! < b.Key! ? -1 : 1));
  const filtered = applyFilters(all, input.Filters, TAG_FILTERS, { tags: false });
  const { page, nextToken } = paginate(filtered, input.MaxResults, input.NextToken);
  return { Tags: page, NextToken: nextToken };
}

// DynamoDB as a user types it: the AWS CLI v2 (create-table, wait table-exists, put/get/query/scan,
// update-item with an expression, a failing conditional put, delete-table) and boto3's Table
// resource (put_item, get_item, query with Key, scan with Attr, a conditional put that fails),
// on the employee directory's Employees table keyed by `id`, on demand.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startTestBonsai, TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { AWS_CLI_V2, runCli, runPython } from '../../helpers/clients.ts';

// One Bonsai for the CLI and one for boto3, so that each test creates Employees on its own.
let bonsai: TestBonsai;
let bonsaiForBoto3: TestBonsai;
before(async () => {
  bonsai = await startTestBonsai();
  bonsaiForBoto3 = await startTestBonsai();
});
after(async () => {
  await bonsai.stop();
  await bonsaiForBoto3.stop();
});

const noCliV2 = !existsSync(AWS_CLI_V2) && 'AWS CLI v2 is not installed (.ci/run installs it)';
const TABLE_ARN = (name: string) => `arn:aws:dynamodb:us-east-1:${TEST_ACCOUNT.accountId}:table/${name}`;

/** `aws --endpoint-url … --output json dynamodb <args>`, parsed; fails the test on a non-zero exit. */
async function dynamodb(args: string[]): Promise<unknown> {
  const out = await runCli(AWS_CLI_V2, ['--endpoint-url', bonsai.endpoint, '--output', 'json', 'dynamodb', ...args]);
  assert.equal(out.code, 0, `aws dynamodb ${args[0]} failed: ${out.stderr}`);
  assert.equal(out.stderr, '');
  return out.stdout === '' ? undefined : JSON.parse(out.stdout);
}

const ANA = { id: { S: 'e-001' }, name: { S: 'Ana Lima' }, department: { S: 'Engineering' }, salary: { N: '120000' } };
const BO = { id: { S: 'e-002' }, name: { S: 'Bo Chen' }, department: { S: 'Finance' }, salary: { N: '98000' } };

/** TableDescription as CreateTable, DescribeTable and DeleteTable give it for Employees, minus its clock and id. */
function employeesDescription(status: string, itemCount: number, sizeBytes: number, d: Record<string, unknown>) {
  assert.match(String(d.CreationDateTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/);
  assert.match(String(d.TableId), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const billing = d.BillingModeSummary as Record<string, unknown>;
  return {
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    TableName: 'Employees',
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    TableStatus: status,
    CreationDateTime: d.CreationDateTime,
    ProvisionedThroughput: { NumberOfDecreasesToday: 0, ReadCapacityUnits: 0, WriteCapacityUnits: 0 },
    TableSizeBytes: sizeBytes,
    ItemCount: itemCount,
    TableArn: TABLE_ARN('Employees'),
    TableId: d.TableId,
    BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST', LastUpdateToPayPerRequestDateTime: billing.LastUpdateToPayPerRequestDateTime },
  };
}

test('AWS CLI v2: the Employees table from create-table to delete-table', { skip: noCliV2 }, async () => {
  const created = (await dynamodb([
    'create-table',
    '--table-name', 'Employees',
    '--attribute-definitions', 'AttributeName=id,AttributeType=S',
    '--key-schema', 'AttributeName=id,KeyType=HASH',
    '--billing-mode', 'PAY_PER_REQUEST',
  ])) as { TableDescription: Record<string, unknown> };
  assert.deepEqual(created.TableDescription, employeesDescription('CREATING', 0, 0, created.TableDescription));
  assert.equal(
    (created.TableDescription.BillingModeSummary as Record<string, unknown>).LastUpdateToPayPerRequestDateTime,
    created.TableDescription.CreationDateTime,
  );

  // The waiter polls DescribeTable every 20 s until ACTIVE: the first poll must already say ACTIVE.
  const t0 = performance.now();
  assert.equal(await dynamodb(['wait', 'table-exists', '--table-name', 'Employees']), undefined);
  assert.ok(performance.now() - t0 < 10_000, `wait table-exists took ${Math.round(performance.now() - t0)} ms`);

  assert.equal(await dynamodb(['put-item', '--table-name', 'Employees', '--item', JSON.stringify(ANA)]), undefined);
  assert.equal(await dynamodb(['put-item', '--table-name', 'Employees', '--item', JSON.stringify(BO)]), undefined);

  assert.deepEqual(await dynamodb(['get-item', '--table-name', 'Employees', '--key', '{"id":{"S":"e-001"}}']), { Item: ANA });
  // A missing item is an empty response ({}), which the CLI prints as nothing at all.
  assert.equal(await dynamodb(['get-item', '--table-name', 'Employees', '--key', '{"id":{"S":"e-404"}}']), undefined);
  assert.deepEqual(
    await dynamodb(['get-item', '--table-name', 'Employees', '--key', '{"id":{"S":"e-002"}}', '--projection-expression', '#n, salary', '--expression-attribute-names', '{"#n":"name"}']),
    { Item: { name: BO.name, salary: BO.salary } },
  );

  // CLI v2 paginates query and scan itself and prints the merged pages with ConsumedCapacity: null.
  assert.deepEqual(
    await dynamodb(['query', '--table-name', 'Employees', '--key-condition-expression', 'id = :id', '--expression-attribute-values', '{":id":{"S":"e-002"}}']),
    { Items: [BO], Count: 1, ScannedCount: 1, ConsumedCapacity: null },
  );
  const scanned = (await dynamodb(['scan', '--table-name', 'Employees'])) as { Items: (typeof ANA)[]; Count: number; ScannedCount: number };
  assert.deepEqual(
    { ...scanned, Items: [...scanned.Items].sort((a, b) => a.id.S.localeCompare(b.id.S)) },
    { Items: [ANA, BO], Count: 2, ScannedCount: 2, ConsumedCapacity: null },
  );
  assert.deepEqual(
    await dynamodb(['scan', '--table-name', 'Employees', '--filter-expression', 'department = :d', '--expression-attribute-values', '{":d":{"S":"Finance"}}']),
    { Items: [BO], Count: 1, ScannedCount: 2, ConsumedCapacity: null },
  );

  assert.deepEqual(
    await dynamodb([
      'update-item',
      '--table-name', 'Employees',
      '--key', '{"id":{"S":"e-001"}}',
      '--update-expression', 'SET salary = salary + :raise, title = :title REMOVE department',
      '--condition-expression', 'attribute_exists(id)',
      '--expression-attribute-values', '{":raise":{"N":"5000"},":title":{"S":"Staff Engineer"}}',
      '--return-values', 'ALL_NEW',
    ]),
    { Attributes: { id: ANA.id, name: ANA.name, salary: { N: '125000' }, title: { S: 'Staff Engineer' } } },
  );

  const conditional = await runCli(AWS_CLI_V2, [
    '--endpoint-url', bonsai.endpoint,
    'dynamodb', 'put-item', '--table-name', 'Employees', '--item', '{"id":{"S":"e-001"}}', '--condition-expression', 'attribute_not_exists(id)',
  ]);
  assert.equal(conditional.code, 254);
  assert.equal(conditional.stdout, '');
  assert.equal(
    conditional.stderr.trim(),
    'An error occurred (ConditionalCheckFailedException) when calling the PutItem operation (reached max retries: 0): The conditional request failed',
  );

  const deleted = (await dynamodb(['delete-table', '--table-name', 'Employees'])) as { TableDescription: Record<string, unknown> };
  assert.equal(deleted.TableDescription.TableStatus, 'DELETING');
  assert.equal(deleted.TableDescription.ItemCount, 2);
  assert.equal(deleted.TableDescription.TableArn, TABLE_ARN('Employees'));

  const gone = await runCli(AWS_CLI_V2, ['--endpoint-url', bonsai.endpoint, 'dynamodb', 'describe-table', '--table-name', 'Employees']);
  assert.equal(gone.code, 254);
  assert.equal(
    gone.stderr.trim(),
    'An error occurred (ResourceNotFoundException) when calling the DescribeTable operation (reached max retries: 0): Requested resource not found: Table: Employees not found',
  );
});

test("boto3: the Employees table through the Table resource, Key/Attr conditions and a failed conditional put", async () => {
  const script = `
import boto3, json, decimal
from boto3.dynamodb.conditions import Key, Attr
from botocore.config import Config
from botocore.exceptions import ClientError

ddb = boto3.resource("dynamodb", endpoint_url="${bonsaiForBoto3.endpoint}", region_name="us-east-1",
    config=Config(retries={"max_attempts": 1}),
    aws_access_key_id="${TEST_ACCOUNT.accessKeyId}", aws_secret_access_key="${TEST_ACCOUNT.secretAccessKey}")
table = ddb.create_table(TableName="Employees", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
out = {"createdStatus": table.table_status}
table.wait_until_exists()
table.reload()  # the resource keeps CreateTable's answer until reloaded
out.update({"status": table.table_status, "keySchema": table.key_schema, "billing": table.billing_mode_summary["BillingMode"]})

table.put_item(Item={"id": "e-010", "name": "Carla Diaz", "department": "Engineering", "salary": 131000, "skills": {"go", "sql"}})
table.put_item(Item={"id": "e-011", "name": "Dev Patel", "department": "Support", "salary": decimal.Decimal("72000.50")})
table.put_item(Item={"id": "e-012", "name": "Eun Park", "department": "Engineering", "salary": 99000, "manager": "e-010"})

def plain(v):
    if isinstance(v, decimal.Decimal): return ["Decimal", str(v)]
    if isinstance(v, set): return sorted(v)
    raise TypeError(type(v))

out["get"] = table.get_item(Key={"id": "e-010"})["Item"]
out["getMissing"] = "Item" in table.get_item(Key={"id": "e-999"})
q = table.query(KeyConditionExpression=Key("id").eq("e-011"))
out["query"] = {k: q[k] for k in ("Items", "Count", "ScannedCount")}
s = table.scan(FilterExpression=Attr("department").eq("Engineering") & Attr("salary").gt(100000))
out["scan"] = {k: s[k] for k in ("Items", "Count", "ScannedCount")}
s = table.scan(FilterExpression=Attr("manager").exists())
out["scanExists"] = sorted(i["id"] for i in s["Items"])

try:
    table.put_item(Item={"id": "e-010", "name": "Someone Else"}, ConditionExpression=Attr("id").not_exists())
    out["conditional"] = None
except table.meta.client.exceptions.ConditionalCheckFailedException as e:
    out["conditional"] = [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
try:
    table.put_item(Item={"id": "e-011", "name": "Dev Patel"}, ConditionExpression=Attr("salary").lt(50000),
        ReturnValuesOnConditionCheckFailure="ALL_OLD")
    out["conditionalOld"] = None
except ClientError as e:
    out["conditionalOld"] = [e.response["Error"]["Code"], e.response["Item"]]
out["unchanged"] = table.get_item(Key={"id": "e-010"})["Item"]["name"]
table.delete()
print(json.dumps(out, default=plain, sort_keys=True))
`;
  const out = await runPython(script);
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout), {
    createdStatus: 'CREATING',
    status: 'ACTIVE',
    billing: 'PAY_PER_REQUEST',
    keySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    get: { id: 'e-010', name: 'Carla Diaz', department: 'Engineering', salary: ['Decimal', '131000'], skills: ['go', 'sql'] },
    getMissing: false,
    query: { Items: [{ id: 'e-011', name: 'Dev Patel', department: 'Support', salary: ['Decimal', '72000.5'] }], Count: 1, ScannedCount: 1 },
    scan: { Items: [{ id: 'e-010', name: 'Carla Diaz', department: 'Engineering', salary: ['Decimal', '131000'], skills: ['go', 'sql'] }], Count: 1, ScannedCount: 3 },
    scanExists: ['e-012'],
    conditional: ['ConditionalCheckFailedException', 'The conditional request failed', 400],
    conditionalOld: ['ConditionalCheckFailedException', { id: { S: 'e-011' }, name: { S: 'Dev Patel' }, department: { S: 'Support' }, salary: { N: '72000.5' } }],
    unchanged: 'Carla Diaz',
  });
});

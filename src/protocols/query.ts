/**
 * The query protocol (IAM, STS, SNS, RDS, CloudWatch over query): form-encoded input named by
 * `Action`, XML output wrapped in <OpResponse><OpResult>…</OpResult><ResponseMetadata>…, and the
 * <ErrorResponse> envelope. The ec2 codec reuses the input side with different naming.
 */
import { AwsError } from '../core/errors.ts';
import { parseQueryPairs, type RawRequest, type RawResponse } from '../core/http.ts';
import type { ProtocolCodec, ResponseContext } from './codec.ts';
import { queryErrorCode, senderOrReceiver } from './error-shapes.ts';
import { FormDecoder, toFormParams, type FormNaming, type FormParams } from './form-input.ts';
import type { OperationModel, ServiceModel, Shape } from './model.ts';
import { writeXmlMembers, writeXmlValue, xmlElement, xmlTextElement, type XmlShapeWriterOptions } from './xml-writer.ts';

/**
 * Query naming: members by locationName; lists under `.member.N` (or the member's locationName),
 * flattened lists directly as `.N`, with a member locationName replacing the list's own name.
 */
export const queryNaming: FormNaming = {
  memberKey: (memberName, ref) => ref.locationName ?? memberName,
  listItemsPrefix(prefix, ref, shape) {
    if (ref.flattened ?? shape.flattened) {
      const itemName = shape.member?.locationName;
      return itemName ? [...prefix.split('.').slice(0, -1), itemName].join('.') : prefix;
    }
    return `${prefix}.${shape.member?.locationName ?? 'member'}`;
  },
  emptyListMarker: true,
};

/**
 * All name/value pairs of a query-family request: the query string, then the form body (which
 * wins on a clash). Both use form encoding, where '+' is a space.
 */
export function readFormParams(req: RawRequest, body: Buffer): FormParams {
  const pairs = parseQueryPairs(req.query, true);
  const contentType = req.headers['content-type'] ?? '';
  if (body.length > 0 && (contentType === '' || contentType.startsWith('application/x-www-form-urlencoded'))) {
    pairs.push(...parseQueryPairs(body.toString('utf8'), true));
  }
  return toFormParams(pairs);
}

export function missingAction(): AwsError {
  return new AwsError('MissingAction', 'The request is missing an action or a required parameter.');
}

/** Finds the operation an `Action=` names; `unknown` builds the protocol's error for any other name. */
export function operationForAction(params: FormParams, model: ServiceModel, unknown: (action: string, version: string) => AwsError): OperationModel {
  const action = params.get('Action');
  if (!action) throw missingAction();
  const operation = model.operations[action];
  if (!operation) throw unknown(action, params.get('Version') ?? model.metadata.apiVersion);
  return operation;
}

export function inputShape(model: ServiceModel, operation: OperationModel): Shape | undefined {
  return operation.input ? model.shapes[operation.input.shape] : undefined;
}

/** The XML namespace of responses: the model's, else AWS's conventional URL for the API version. */
export function responseNamespace(model: ServiceModel): string {
  const { xmlNamespace, endpointPrefix, apiVersion } = model.metadata;
  return xmlNamespace ?? `https://${endpointPrefix}.amazonaws.com/doc/${apiVersion}/`;
}

function xmlResponse(status: number, body: string, requestId: string, extraHeaders: Record<string, string> = {}): RawResponse {
  return {
    status,
    headers: { 'x-amzn-RequestId': requestId, 'Content-Type': 'text/xml', ...extraHeaders },
    body,
  };
}

export function createQueryCodec(): ProtocolCodec {
  return {
    protocol: 'query',

    resolveOperation(req, model) {
      return operationForAction(readFormParams(req, req.body), model, (action, version) =>
        new AwsError('InvalidAction', `Could not find operation ${action} for version ${version}`));
    },

    parseInput(req, body, model, operation) {
      const shape = inputShape(model, operation);
      if (!shape) return {};
      return new FormDecoder(model, queryNaming).decodeStructure(readFormParams(req, body), shape, '');
    },

    serializeOutput(output, model, operation, ctx) {
      const writer: XmlShapeWriterOptions = { model, timestampFormat: 'iso8601', alwaysMillis: false, listMemberName: 'member', skipBoundMembers: false };
      let result = '';
      const outputRef = operation.output;
      if (outputRef) {
        const shape = model.shapes[outputRef.shape]!;
        result = outputRef.resultWrapper
          ? writeXmlValue(outputRef.resultWrapper, { shape: outputRef.shape }, output, writer)
          : writeXmlMembers(shape, output, writer);
      }
      const metadata = xmlElement('ResponseMetadata', xmlTextElement('RequestId', ctx.requestId));
      const body = xmlElement(`${operation.name}Response`, result + metadata, { xmlns: responseNamespace(model) });
      return xmlResponse(200, body, ctx.requestId);
    },

    serializeError(error, model, _operation, ctx: ResponseContext) {
      const inner =
        xmlTextElement('Type', senderOrReceiver(error)) +
        xmlTextElement('Code', queryErrorCode(model, error)) +
        xmlTextElement('Message', error.message) +
        extraErrorFields(error.fields);
      const body = xmlElement('ErrorResponse', xmlElement('Error', inner) + xmlTextElement('RequestId', ctx.requestId), {
        xmlns: responseNamespace(model),
      });
      return xmlResponse(error.status, body, ctx.requestId, error.headers);
    },
  };
}

/** Extra error members (rarely modeled in query services) as plain text elements. */
export function extraErrorFields(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => xmlTextElement(k, v instanceof Date ? v.toISOString() : String(v)))
    .join('');
}
